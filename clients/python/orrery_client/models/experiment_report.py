from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.experiment import Experiment
  from ..models.period import Period
  from ..models.variant_result import VariantResult





T = TypeVar("T", bound="ExperimentReport")



@_attrs_define
class ExperimentReport:
    """ An experiment and its results.

        Attributes:
            experiment (Experiment): An experiment.
            period_seconds (int): The length of the periods of `series` (seconds): an hour, or a day for
                experiments that ran longer than two days.
            results (list[VariantResult]): Each variant's results, the control first.
            series (list[Period]): Each variant's figures per period, oldest first.
            warnings (list[str]): What keeps the results from deciding: samples too small for the test, or too
                small to detect the observed difference.
     """

    experiment: Experiment
    period_seconds: int
    results: list[VariantResult]
    series: list[Period]
    warnings: list[str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.experiment import Experiment # noqa: PLC0415
        from ..models.period import Period # noqa: PLC0415
        from ..models.variant_result import VariantResult # noqa: PLC0415
        experiment = self.experiment.to_dict()

        period_seconds = self.period_seconds

        results = []
        for results_item_data in self.results:
            results_item = results_item_data.to_dict()
            results.append(results_item)



        series = []
        for series_item_data in self.series:
            series_item = series_item_data.to_dict()
            series.append(series_item)



        warnings = self.warnings




        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "experiment": experiment,
            "period_seconds": period_seconds,
            "results": results,
            "series": series,
            "warnings": warnings,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.experiment import Experiment # noqa: PLC0415
        from ..models.period import Period # noqa: PLC0415
        from ..models.variant_result import VariantResult # noqa: PLC0415
        d = dict(src_dict)
        experiment = Experiment.from_dict(d.pop("experiment"))




        period_seconds = d.pop("period_seconds")

        results = []
        _results = d.pop("results")
        for results_item_data in (_results):
            results_item = VariantResult.from_dict(results_item_data)



            results.append(results_item)


        series = []
        _series = d.pop("series")
        for series_item_data in (_series):
            series_item = Period.from_dict(series_item_data)



            series.append(series_item)


        warnings = cast(list[str], d.pop("warnings"))


        experiment_report = cls(
            experiment=experiment,
            period_seconds=period_seconds,
            results=results,
            series=series,
            warnings=warnings,
        )


        experiment_report.additional_properties = d
        return experiment_report

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
