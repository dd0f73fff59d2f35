from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.rating_model_summary_metrics import RatingModelSummaryMetrics





T = TypeVar("T", bound="RatingModelSummary")



@_attrs_define
class RatingModelSummary:
    """ The rating model trained beside a chosen ranking model.

        Attributes:
            activated (bool): Whether it was activated (as the rating model; the ranking model stays).
            algorithm (str): Its algorithm.
            metrics (RatingModelSummaryMetrics): Holdout metrics (RMSE, MAE, …).
            version (int): Its version.
     """

    activated: bool
    algorithm: str
    metrics: RatingModelSummaryMetrics
    version: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.rating_model_summary_metrics import RatingModelSummaryMetrics # noqa: PLC0415
        activated = self.activated

        algorithm = self.algorithm

        metrics = self.metrics.to_dict()

        version = self.version


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "activated": activated,
            "algorithm": algorithm,
            "metrics": metrics,
            "version": version,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.rating_model_summary_metrics import RatingModelSummaryMetrics # noqa: PLC0415
        d = dict(src_dict)
        activated = d.pop("activated")

        algorithm = d.pop("algorithm")

        metrics = RatingModelSummaryMetrics.from_dict(d.pop("metrics"))




        version = d.pop("version")

        rating_model_summary = cls(
            activated=activated,
            algorithm=algorithm,
            metrics=metrics,
            version=version,
        )


        rating_model_summary.additional_properties = d
        return rating_model_summary

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
