from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.history_item import HistoryItem





T = TypeVar("T", bound="UserHistory")



@_attrs_define
class UserHistory:
    """ A user's interactions.

        Attributes:
            interactions (list[HistoryItem]): The newest ones, newest first.
            total (int): Interactions stored.
            user_id (str): The user.
     """

    interactions: list[HistoryItem]
    total: int
    user_id: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.history_item import HistoryItem # noqa: PLC0415
        interactions = []
        for interactions_item_data in self.interactions:
            interactions_item = interactions_item_data.to_dict()
            interactions.append(interactions_item)



        total = self.total

        user_id = self.user_id


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "interactions": interactions,
            "total": total,
            "user_id": user_id,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.history_item import HistoryItem # noqa: PLC0415
        d = dict(src_dict)
        interactions = []
        _interactions = d.pop("interactions")
        for interactions_item_data in (_interactions):
            interactions_item = HistoryItem.from_dict(interactions_item_data)



            interactions.append(interactions_item)


        total = d.pop("total")

        user_id = d.pop("user_id")

        user_history = cls(
            interactions=interactions,
            total=total,
            user_id=user_id,
        )


        user_history.additional_properties = d
        return user_history

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
