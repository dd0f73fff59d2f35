from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.metrics_response_metrics import MetricsResponseMetrics
  from ..models.metrics_response_params import MetricsResponseParams
  from ..models.model_out import ModelOut
  from ..models.run_out import RunOut





T = TypeVar("T", bound="MetricsResponse")



@_attrs_define
class MetricsResponse:
    """ The served model's metrics and what the store holds.

        Attributes:
            interactions (int): Interactions stored.
            items (int): Items stored.
            metrics (MetricsResponseMetrics): Its holdout metrics (rmse, mae, precision@10, recall@10, ndcg@10, coverage@10,
                …).
            params (MetricsResponseParams): Its parameters.
            training_runs (list[RunOut]): Recent training runs, newest first.
            users (int): Users stored.
            algorithm (None | str | Unset): Its algorithm.
            model_version (int | None | Unset): The active version.
            rating_model (ModelOut | None | Unset):
            trained_at (int | None | Unset): Unix seconds.
     """

    interactions: int
    items: int
    metrics: MetricsResponseMetrics
    params: MetricsResponseParams
    training_runs: list[RunOut]
    users: int
    algorithm: None | str | Unset = UNSET
    model_version: int | None | Unset = UNSET
    rating_model: ModelOut | None | Unset = UNSET
    trained_at: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.metrics_response_metrics import MetricsResponseMetrics # noqa: PLC0415
        from ..models.metrics_response_params import MetricsResponseParams # noqa: PLC0415
        from ..models.model_out import ModelOut # noqa: PLC0415
        from ..models.run_out import RunOut # noqa: PLC0415
        interactions = self.interactions

        items = self.items

        metrics = self.metrics.to_dict()

        params = self.params.to_dict()

        training_runs = []
        for training_runs_item_data in self.training_runs:
            training_runs_item = training_runs_item_data.to_dict()
            training_runs.append(training_runs_item)



        users = self.users

        algorithm: None | str | Unset
        if isinstance(self.algorithm, Unset):
            algorithm = UNSET
        else:
            algorithm = self.algorithm

        model_version: int | None | Unset
        if isinstance(self.model_version, Unset):
            model_version = UNSET
        else:
            model_version = self.model_version

        rating_model: dict[str, Any] | None | Unset
        if isinstance(self.rating_model, Unset):
            rating_model = UNSET
        elif isinstance(self.rating_model, ModelOut):
            rating_model = self.rating_model.to_dict()
        else:
            rating_model = self.rating_model

        trained_at: int | None | Unset
        if isinstance(self.trained_at, Unset):
            trained_at = UNSET
        else:
            trained_at = self.trained_at


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "interactions": interactions,
            "items": items,
            "metrics": metrics,
            "params": params,
            "training_runs": training_runs,
            "users": users,
        })
        if algorithm is not UNSET:
            field_dict["algorithm"] = algorithm
        if model_version is not UNSET:
            field_dict["model_version"] = model_version
        if rating_model is not UNSET:
            field_dict["rating_model"] = rating_model
        if trained_at is not UNSET:
            field_dict["trained_at"] = trained_at

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.metrics_response_metrics import MetricsResponseMetrics # noqa: PLC0415
        from ..models.metrics_response_params import MetricsResponseParams # noqa: PLC0415
        from ..models.model_out import ModelOut # noqa: PLC0415
        from ..models.run_out import RunOut # noqa: PLC0415
        d = dict(src_dict)
        interactions = d.pop("interactions")

        items = d.pop("items")

        metrics = MetricsResponseMetrics.from_dict(d.pop("metrics"))




        params = MetricsResponseParams.from_dict(d.pop("params"))




        training_runs = []
        _training_runs = d.pop("training_runs")
        for training_runs_item_data in (_training_runs):
            training_runs_item = RunOut.from_dict(training_runs_item_data)



            training_runs.append(training_runs_item)


        users = d.pop("users")

        def _parse_algorithm(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        algorithm = _parse_algorithm(d.pop("algorithm", UNSET))


        def _parse_model_version(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        model_version = _parse_model_version(d.pop("model_version", UNSET))


        def _parse_rating_model(data: object) -> ModelOut | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                rating_model_type_0 = ModelOut.from_dict(data)



                return rating_model_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ModelOut | None | Unset, data)

        rating_model = _parse_rating_model(d.pop("rating_model", UNSET))


        def _parse_trained_at(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        trained_at = _parse_trained_at(d.pop("trained_at", UNSET))


        metrics_response = cls(
            interactions=interactions,
            items=items,
            metrics=metrics,
            params=params,
            training_runs=training_runs,
            users=users,
            algorithm=algorithm,
            model_version=model_version,
            rating_model=rating_model,
            trained_at=trained_at,
        )


        metrics_response.additional_properties = d
        return metrics_response

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
