from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="SimilarUser")



@_attrs_define
class SimilarUser:
    """ A user with similar taste who liked the explained item.

        Attributes:
            similarity (float): Cosine of the two users' factors, or Jaccard of their histories for models without
                factors.
            user_id (str): The user.
            value (float): Their value for the item.
     """

    similarity: float
    user_id: str
    value: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        similarity = self.similarity

        user_id = self.user_id

        value = self.value


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "similarity": similarity,
            "user_id": user_id,
            "value": value,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        similarity = d.pop("similarity")

        user_id = d.pop("user_id")

        value = d.pop("value")

        similar_user = cls(
            similarity=similarity,
            user_id=user_id,
            value=value,
        )


        similar_user.additional_properties = d
        return similar_user

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
