from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.variant import Variant





T = TypeVar("T", bound="NewExperiment")



@_attrs_define
class NewExperiment:
    """ A new experiment, as `POST /experiments` takes it.

        Attributes:
            id (str): Its id (letters, digits, `-`, `_`; at most 64).
            variants (list[Variant]): Two to ten variants; the first is the control.
            description (str | Unset): What it tests.
            salt (None | str | Unset): What the assignment hash mixes in (letters, digits, `-`, `_`): random by default,
                so that experiments split users independently; an experiment given another's salt
                and shares assigns users alike.
     """

    id: str
    variants: list[Variant]
    description: str | Unset = UNSET
    salt: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.variant import Variant # noqa: PLC0415
        id = self.id

        variants = []
        for variants_item_data in self.variants:
            variants_item = variants_item_data.to_dict()
            variants.append(variants_item)



        description = self.description

        salt: None | str | Unset
        if isinstance(self.salt, Unset):
            salt = UNSET
        else:
            salt = self.salt


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "id": id,
            "variants": variants,
        })
        if description is not UNSET:
            field_dict["description"] = description
        if salt is not UNSET:
            field_dict["salt"] = salt

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.variant import Variant # noqa: PLC0415
        d = dict(src_dict)
        id = d.pop("id")

        variants = []
        _variants = d.pop("variants")
        for variants_item_data in (_variants):
            variants_item = Variant.from_dict(variants_item_data)



            variants.append(variants_item)


        description = d.pop("description", UNSET)

        def _parse_salt(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        salt = _parse_salt(d.pop("salt", UNSET))


        new_experiment = cls(
            id=id,
            variants=variants,
            description=description,
            salt=salt,
        )

        return new_experiment

