from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="SharedCategory")



@_attrs_define
class SharedCategory:
    """ A category the explained item shares with the user's liked items.

        Attributes:
            category (str): The category value.
            liked_items (int): How many of the user's liked items have it.
            share (float): That count over all the user's liked items.
     """

    category: str
    liked_items: int
    share: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        category = self.category

        liked_items = self.liked_items

        share = self.share


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "category": category,
            "liked_items": liked_items,
            "share": share,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        category = d.pop("category")

        liked_items = d.pop("liked_items")

        share = d.pop("share")

        shared_category = cls(
            category=category,
            liked_items=liked_items,
            share=share,
        )


        shared_category.additional_properties = d
        return shared_category

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
