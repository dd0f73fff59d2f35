from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.comparison import Comparison





T = TypeVar("T", bound="AgainstControl")



@_attrs_define
class AgainstControl:
    """ A variant against the control.

        Attributes:
            conversion (Comparison): A variant's rate against its control's.
            ctr (Comparison): A variant's rate against its control's.
     """

    conversion: Comparison
    ctr: Comparison
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.comparison import Comparison # noqa: PLC0415
        conversion = self.conversion.to_dict()

        ctr = self.ctr.to_dict()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "conversion": conversion,
            "ctr": ctr,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.comparison import Comparison # noqa: PLC0415
        d = dict(src_dict)
        conversion = Comparison.from_dict(d.pop("conversion"))




        ctr = Comparison.from_dict(d.pop("ctr"))




        against_control = cls(
            conversion=conversion,
            ctr=ctr,
        )


        against_control.additional_properties = d
        return against_control

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
