from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.rating_model_summary import RatingModelSummary
  from ..models.run_summary_flow import RunSummaryFlow
  from ..models.run_summary_metrics import RunSummaryMetrics





T = TypeVar("T", bound="RunSummary")



@_attrs_define
class RunSummary:
    """ How a training run ended.

        Attributes:
            activated (bool): Whether it was activated.
            algorithm (str): The algorithm.
            finished_at (int): Unix seconds.
            flow (RunSummaryFlow): The flow settings chosen for the model on a validation split and served with it
                (e.g. `flow.popularity_prior`), stored among its parameters.
            metrics (RunSummaryMetrics): Holdout metrics (empty when the data was too small to hold any out).
            pruned (list[int]): Versions pruned afterwards.
            run_id (int): Training run number.
            status (str): `succeeded`, `failed` or `cancelled`.
            train_seconds (float): Seconds from start to end.
            error (None | str | Unset): Why it failed or was cancelled.
            rating_model (None | RatingModelSummary | Unset):
            version (int | None | Unset): The stored version.
     """

    activated: bool
    algorithm: str
    finished_at: int
    flow: RunSummaryFlow
    metrics: RunSummaryMetrics
    pruned: list[int]
    run_id: int
    status: str
    train_seconds: float
    error: None | str | Unset = UNSET
    rating_model: None | RatingModelSummary | Unset = UNSET
    version: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.rating_model_summary import RatingModelSummary # noqa: PLC0415
        from ..models.run_summary_flow import RunSummaryFlow # noqa: PLC0415
        from ..models.run_summary_metrics import RunSummaryMetrics # noqa: PLC0415
        activated = self.activated

        algorithm = self.algorithm

        finished_at = self.finished_at

        flow = self.flow.to_dict()

        metrics = self.metrics.to_dict()

        pruned = self.pruned



        run_id = self.run_id

        status = self.status

        train_seconds = self.train_seconds

        error: None | str | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        else:
            error = self.error

        rating_model: dict[str, Any] | None | Unset
        if isinstance(self.rating_model, Unset):
            rating_model = UNSET
        elif isinstance(self.rating_model, RatingModelSummary):
            rating_model = self.rating_model.to_dict()
        else:
            rating_model = self.rating_model

        version: int | None | Unset
        if isinstance(self.version, Unset):
            version = UNSET
        else:
            version = self.version


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "activated": activated,
            "algorithm": algorithm,
            "finished_at": finished_at,
            "flow": flow,
            "metrics": metrics,
            "pruned": pruned,
            "run_id": run_id,
            "status": status,
            "train_seconds": train_seconds,
        })
        if error is not UNSET:
            field_dict["error"] = error
        if rating_model is not UNSET:
            field_dict["rating_model"] = rating_model
        if version is not UNSET:
            field_dict["version"] = version

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.rating_model_summary import RatingModelSummary # noqa: PLC0415
        from ..models.run_summary_flow import RunSummaryFlow # noqa: PLC0415
        from ..models.run_summary_metrics import RunSummaryMetrics # noqa: PLC0415
        d = dict(src_dict)
        activated = d.pop("activated")

        algorithm = d.pop("algorithm")

        finished_at = d.pop("finished_at")

        flow = RunSummaryFlow.from_dict(d.pop("flow"))




        metrics = RunSummaryMetrics.from_dict(d.pop("metrics"))




        pruned = cast(list[int], d.pop("pruned"))


        run_id = d.pop("run_id")

        status = d.pop("status")

        train_seconds = d.pop("train_seconds")

        def _parse_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error = _parse_error(d.pop("error", UNSET))


        def _parse_rating_model(data: object) -> None | RatingModelSummary | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                rating_model_type_0 = RatingModelSummary.from_dict(data)



                return rating_model_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RatingModelSummary | Unset, data)

        rating_model = _parse_rating_model(d.pop("rating_model", UNSET))


        def _parse_version(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        version = _parse_version(d.pop("version", UNSET))


        run_summary = cls(
            activated=activated,
            algorithm=algorithm,
            finished_at=finished_at,
            flow=flow,
            metrics=metrics,
            pruned=pruned,
            run_id=run_id,
            status=status,
            train_seconds=train_seconds,
            error=error,
            rating_model=rating_model,
            version=version,
        )


        run_summary.additional_properties = d
        return run_summary

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
