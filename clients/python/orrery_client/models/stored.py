from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.interaction_out import InteractionOut





T = TypeVar("T", bound="Stored")



@_attrs_define
class Stored:
    """ What a batch stored.

        Attributes:
            duplicates (int): Interactions already stored (same user, item, kind and second), skipped.
            interactions (list[InteractionOut]): The interactions as received.
            stored (int): New interactions stored.
     """

    duplicates: int
    interactions: list[InteractionOut]
    stored: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.interaction_out import InteractionOut # noqa: PLC0415
        duplicates = self.duplicates

        interactions = []
        for interactions_item_data in self.interactions:
            interactions_item = interactions_item_data.to_dict()
            interactions.append(interactions_item)



        stored = self.stored


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "duplicates": duplicates,
            "interactions": interactions,
            "stored": stored,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.interaction_out import InteractionOut # noqa: PLC0415
        d = dict(src_dict)
        duplicates = d.pop("duplicates")

        interactions = []
        _interactions = d.pop("interactions")
        for interactions_item_data in (_interactions):
            interactions_item = InteractionOut.from_dict(interactions_item_data)



            interactions.append(interactions_item)


        stored = d.pop("stored")

        stored = cls(
            duplicates=duplicates,
            interactions=interactions,
            stored=stored,
        )


        stored.additional_properties = d
        return stored

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
