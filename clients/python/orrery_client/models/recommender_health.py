from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="RecommenderHealth")



@_attrs_define
class RecommenderHealth:
    """ Whether recommendations can be served: the database, the loaded model and the catalog.

        Attributes:
            catalog_items (int): Items that can be recommended.
            model_loaded (bool): Whether a trained model is loaded (without one, lists come from popularity and
                content).
            status (str): `healthy`, or `degraded` when the database does not answer.
            algorithm (None | str | Unset): Its algorithm.
            model_version (int | None | Unset): The model's version.
     """

    catalog_items: int
    model_loaded: bool
    status: str
    algorithm: None | str | Unset = UNSET
    model_version: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        catalog_items = self.catalog_items

        model_loaded = self.model_loaded

        status = self.status

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


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "catalog_items": catalog_items,
            "model_loaded": model_loaded,
            "status": status,
        })
        if algorithm is not UNSET:
            field_dict["algorithm"] = algorithm
        if model_version is not UNSET:
            field_dict["model_version"] = model_version

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        catalog_items = d.pop("catalog_items")

        model_loaded = d.pop("model_loaded")

        status = d.pop("status")

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


        recommender_health = cls(
            catalog_items=catalog_items,
            model_loaded=model_loaded,
            status=status,
            algorithm=algorithm,
            model_version=model_version,
        )


        recommender_health.additional_properties = d
        return recommender_health

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
