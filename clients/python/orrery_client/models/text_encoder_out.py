from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="TextEncoderOut")



@_attrs_define
class TextEncoderOut:
    """ The text encoder that item text goes through.

        Attributes:
            description (str): One line: where the model came from, or why the fallback runs.
            dim (int): Vector length.
            fallback (bool): Whether feature hashing stands in for a model that was not found.
            kind (str): `mini_lm` or `feature_hashing`.
            name (str): `all-MiniLM-L6-v2` or `feature-hashing-384`.
     """

    description: str
    dim: int
    fallback: bool
    kind: str
    name: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        description = self.description

        dim = self.dim

        fallback = self.fallback

        kind = self.kind

        name = self.name


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "description": description,
            "dim": dim,
            "fallback": fallback,
            "kind": kind,
            "name": name,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        description = d.pop("description")

        dim = d.pop("dim")

        fallback = d.pop("fallback")

        kind = d.pop("kind")

        name = d.pop("name")

        text_encoder_out = cls(
            description=description,
            dim=dim,
            fallback=fallback,
            kind=kind,
            name=name,
        )


        text_encoder_out.additional_properties = d
        return text_encoder_out

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
