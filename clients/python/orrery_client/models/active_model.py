from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="ActiveModel")



@_attrs_define
class ActiveModel:
    """ The model being served.

        Attributes:
            algorithm (str): Algorithm.
            created_at (int): Unix seconds.
            n_items (int): Items it can score.
            n_users (int): Users it was trained on.
            version (int): Registry version.
     """

    algorithm: str
    created_at: int
    n_items: int
    n_users: int
    version: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        algorithm = self.algorithm

        created_at = self.created_at

        n_items = self.n_items

        n_users = self.n_users

        version = self.version


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "algorithm": algorithm,
            "created_at": created_at,
            "n_items": n_items,
            "n_users": n_users,
            "version": version,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        algorithm = d.pop("algorithm")

        created_at = d.pop("created_at")

        n_items = d.pop("n_items")

        n_users = d.pop("n_users")

        version = d.pop("version")

        active_model = cls(
            algorithm=algorithm,
            created_at=created_at,
            n_items=n_items,
            n_users=n_users,
            version=version,
        )


        active_model.additional_properties = d
        return active_model

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
