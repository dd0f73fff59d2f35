from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="Influence")



@_attrs_define
class Influence:
    """ One history item's share of a score.

        Attributes:
            contribution (float): Its share of the score: additive for models that decompose their scores, else the
                item's similarity to the explained one times the user's affinity.
            item_id (str): The history item.
            title (str): Its title.
            user_value (float): The user's value for it (rating, or implicit weight).
     """

    contribution: float
    item_id: str
    title: str
    user_value: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        contribution = self.contribution

        item_id = self.item_id

        title = self.title

        user_value = self.user_value


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "contribution": contribution,
            "item_id": item_id,
            "title": title,
            "user_value": user_value,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        contribution = d.pop("contribution")

        item_id = d.pop("item_id")

        title = d.pop("title")

        user_value = d.pop("user_value")

        influence = cls(
            contribution=contribution,
            item_id=item_id,
            title=title,
            user_value=user_value,
        )


        influence.additional_properties = d
        return influence

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
