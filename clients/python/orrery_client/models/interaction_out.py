from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="InteractionOut")



@_attrs_define
class InteractionOut:
    """ An interaction as stored.

        Attributes:
            item_id (str): The item.
            kind (str): Its kind.
            timestamp (int): Unix seconds.
            user_id (str): The user.
            value (float): Its value.
     """

    item_id: str
    kind: str
    timestamp: int
    user_id: str
    value: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        item_id = self.item_id

        kind = self.kind

        timestamp = self.timestamp

        user_id = self.user_id

        value = self.value


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "item_id": item_id,
            "kind": kind,
            "timestamp": timestamp,
            "user_id": user_id,
            "value": value,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        item_id = d.pop("item_id")

        kind = d.pop("kind")

        timestamp = d.pop("timestamp")

        user_id = d.pop("user_id")

        value = d.pop("value")

        interaction_out = cls(
            item_id=item_id,
            kind=kind,
            timestamp=timestamp,
            user_id=user_id,
            value=value,
        )


        interaction_out.additional_properties = d
        return interaction_out

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
