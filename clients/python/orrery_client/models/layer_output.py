from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="LayerOutput")



@_attrs_define
class LayerOutput:
    """ The latest output of one pipeline layer.

        Attributes:
            columns (list[str]): The header's columns.
            exists (bool): Whether the layer has run (its file exists).
            file (str): The file name.
            layer (int): 2, 3 or 4.
            url (str): Where to download it.
            modified_at (int | None | Unset): Unix seconds of the last write.
            rows (int | None | Unset): Data rows (lines after the header).
            size_bytes (int | None | Unset): File size.
     """

    columns: list[str]
    exists: bool
    file: str
    layer: int
    url: str
    modified_at: int | None | Unset = UNSET
    rows: int | None | Unset = UNSET
    size_bytes: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        columns = self.columns



        exists = self.exists

        file = self.file

        layer = self.layer

        url = self.url

        modified_at: int | None | Unset
        if isinstance(self.modified_at, Unset):
            modified_at = UNSET
        else:
            modified_at = self.modified_at

        rows: int | None | Unset
        if isinstance(self.rows, Unset):
            rows = UNSET
        else:
            rows = self.rows

        size_bytes: int | None | Unset
        if isinstance(self.size_bytes, Unset):
            size_bytes = UNSET
        else:
            size_bytes = self.size_bytes


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "columns": columns,
            "exists": exists,
            "file": file,
            "layer": layer,
            "url": url,
        })
        if modified_at is not UNSET:
            field_dict["modified_at"] = modified_at
        if rows is not UNSET:
            field_dict["rows"] = rows
        if size_bytes is not UNSET:
            field_dict["size_bytes"] = size_bytes

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        columns = cast(list[str], d.pop("columns"))


        exists = d.pop("exists")

        file = d.pop("file")

        layer = d.pop("layer")

        url = d.pop("url")

        def _parse_modified_at(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        modified_at = _parse_modified_at(d.pop("modified_at", UNSET))


        def _parse_rows(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        rows = _parse_rows(d.pop("rows", UNSET))


        def _parse_size_bytes(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        size_bytes = _parse_size_bytes(d.pop("size_bytes", UNSET))


        layer_output = cls(
            columns=columns,
            exists=exists,
            file=file,
            layer=layer,
            url=url,
            modified_at=modified_at,
            rows=rows,
            size_bytes=size_bytes,
        )


        layer_output.additional_properties = d
        return layer_output

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
