from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.model_out_metrics import ModelOutMetrics
  from ..models.model_out_params import ModelOutParams





T = TypeVar("T", bound="ModelOut")



@_attrs_define
class ModelOut:
    """ A stored model version.

        Attributes:
            active (bool): Whether it is the served version of its purpose.
            algorithm (str): Algorithm.
            created_at (int): Unix seconds.
            metrics (ModelOutMetrics): Holdout metrics.
            n_interactions (int): Interactions (user–item cells) trained on.
            n_items (int): Items trained on.
            n_users (int): Users trained on.
            params (ModelOutParams): Parameters.
            pinned (bool): Pinned versions are never pruned.
            purpose (str): What it serves when active: `ranking` (lists) or `rating` (predicted ratings). One
                version of each purpose may be active at once. Example: ranking.
            size_bytes (int): Size of the stored model.
            train_seconds (float): Training time.
            version (int): Version number.
     """

    active: bool
    algorithm: str
    created_at: int
    metrics: ModelOutMetrics
    n_interactions: int
    n_items: int
    n_users: int
    params: ModelOutParams
    pinned: bool
    purpose: str
    size_bytes: int
    train_seconds: float
    version: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.model_out_metrics import ModelOutMetrics # noqa: PLC0415
        from ..models.model_out_params import ModelOutParams # noqa: PLC0415
        active = self.active

        algorithm = self.algorithm

        created_at = self.created_at

        metrics = self.metrics.to_dict()

        n_interactions = self.n_interactions

        n_items = self.n_items

        n_users = self.n_users

        params = self.params.to_dict()

        pinned = self.pinned

        purpose = self.purpose

        size_bytes = self.size_bytes

        train_seconds = self.train_seconds

        version = self.version


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "active": active,
            "algorithm": algorithm,
            "created_at": created_at,
            "metrics": metrics,
            "n_interactions": n_interactions,
            "n_items": n_items,
            "n_users": n_users,
            "params": params,
            "pinned": pinned,
            "purpose": purpose,
            "size_bytes": size_bytes,
            "train_seconds": train_seconds,
            "version": version,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.model_out_metrics import ModelOutMetrics # noqa: PLC0415
        from ..models.model_out_params import ModelOutParams # noqa: PLC0415
        d = dict(src_dict)
        active = d.pop("active")

        algorithm = d.pop("algorithm")

        created_at = d.pop("created_at")

        metrics = ModelOutMetrics.from_dict(d.pop("metrics"))




        n_interactions = d.pop("n_interactions")

        n_items = d.pop("n_items")

        n_users = d.pop("n_users")

        params = ModelOutParams.from_dict(d.pop("params"))




        pinned = d.pop("pinned")

        purpose = d.pop("purpose")

        size_bytes = d.pop("size_bytes")

        train_seconds = d.pop("train_seconds")

        version = d.pop("version")

        model_out = cls(
            active=active,
            algorithm=algorithm,
            created_at=created_at,
            metrics=metrics,
            n_interactions=n_interactions,
            n_items=n_items,
            n_users=n_users,
            params=params,
            pinned=pinned,
            purpose=purpose,
            size_bytes=size_bytes,
            train_seconds=train_seconds,
            version=version,
        )


        model_out.additional_properties = d
        return model_out

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
