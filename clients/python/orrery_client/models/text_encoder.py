from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="TextEncoder")



@_attrs_define
class TextEncoder:
    """ The text encoder that embeds items and interests, and how far the catalog is embedded.

        Attributes:
            description (str): Which encoder, where its model came from, or why the fallback runs.
            fallback (bool): `true` when feature hashing stands in for the model (not semantic: see `description`).
            items_embedded (int): Live items with a stored embedding.
            items_pending (int): Live items with text still waiting for theirs (the content side uses categories
                and tags until none is).
            name (str): `all-MiniLM-L6-v2`, or `feature-hashing-384` when the model was not found.
     """

    description: str
    fallback: bool
    items_embedded: int
    items_pending: int
    name: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        description = self.description

        fallback = self.fallback

        items_embedded = self.items_embedded

        items_pending = self.items_pending

        name = self.name


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "description": description,
            "fallback": fallback,
            "items_embedded": items_embedded,
            "items_pending": items_pending,
            "name": name,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        description = d.pop("description")

        fallback = d.pop("fallback")

        items_embedded = d.pop("items_embedded")

        items_pending = d.pop("items_pending")

        name = d.pop("name")

        text_encoder = cls(
            description=description,
            fallback=fallback,
            items_embedded=items_embedded,
            items_pending=items_pending,
            name=name,
        )


        text_encoder.additional_properties = d
        return text_encoder

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
