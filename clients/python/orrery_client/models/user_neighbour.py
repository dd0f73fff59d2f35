from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="UserNeighbour")



@_attrs_define
class UserNeighbour:
    """ One user with similar taste.

        Attributes:
            items_in_common (int): Items both users interacted with (in the model's training data for them).
            similarity (float): Cosine of the user factors, or the Jaccard index of the item sets.
            user_id (str): The user.
     """

    items_in_common: int
    similarity: float
    user_id: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        items_in_common = self.items_in_common

        similarity = self.similarity

        user_id = self.user_id


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "items_in_common": items_in_common,
            "similarity": similarity,
            "user_id": user_id,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        items_in_common = d.pop("items_in_common")

        similarity = d.pop("similarity")

        user_id = d.pop("user_id")

        user_neighbour = cls(
            items_in_common=items_in_common,
            similarity=similarity,
            user_id=user_id,
        )


        user_neighbour.additional_properties = d
        return user_neighbour

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
