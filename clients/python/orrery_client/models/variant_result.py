from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.against_control import AgainstControl
  from ..models.rate import Rate





T = TypeVar("T", bound="VariantResult")



@_attrs_define
class VariantResult:
    """ How one variant's lists fared.

        Attributes:
            clicks (int): Shown items clicked (each list position once).
            conversion (Rate): A rate and its 95 % interval.
            conversions (int): Shown items converted.
            ctr (Rate): A rate and its 95 % interval.
            items_shown (int): Items shown in them.
            list_ctr (Rate): A rate and its 95 % interval.
            lists (int): Lists served.
            name (str): The variant.
            users (int): Users served at least one of its lists.
            against_control (AgainstControl | None | Unset):
     """

    clicks: int
    conversion: Rate
    conversions: int
    ctr: Rate
    items_shown: int
    list_ctr: Rate
    lists: int
    name: str
    users: int
    against_control: AgainstControl | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.against_control import AgainstControl # noqa: PLC0415
        from ..models.rate import Rate # noqa: PLC0415
        clicks = self.clicks

        conversion = self.conversion.to_dict()

        conversions = self.conversions

        ctr = self.ctr.to_dict()

        items_shown = self.items_shown

        list_ctr = self.list_ctr.to_dict()

        lists = self.lists

        name = self.name

        users = self.users

        against_control: dict[str, Any] | None | Unset
        if isinstance(self.against_control, Unset):
            against_control = UNSET
        elif isinstance(self.against_control, AgainstControl):
            against_control = self.against_control.to_dict()
        else:
            against_control = self.against_control


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "clicks": clicks,
            "conversion": conversion,
            "conversions": conversions,
            "ctr": ctr,
            "items_shown": items_shown,
            "list_ctr": list_ctr,
            "lists": lists,
            "name": name,
            "users": users,
        })
        if against_control is not UNSET:
            field_dict["against_control"] = against_control

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.against_control import AgainstControl # noqa: PLC0415
        from ..models.rate import Rate # noqa: PLC0415
        d = dict(src_dict)
        clicks = d.pop("clicks")

        conversion = Rate.from_dict(d.pop("conversion"))




        conversions = d.pop("conversions")

        ctr = Rate.from_dict(d.pop("ctr"))




        items_shown = d.pop("items_shown")

        list_ctr = Rate.from_dict(d.pop("list_ctr"))




        lists = d.pop("lists")

        name = d.pop("name")

        users = d.pop("users")

        def _parse_against_control(data: object) -> AgainstControl | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                against_control_type_0 = AgainstControl.from_dict(data)



                return against_control_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AgainstControl | None | Unset, data)

        against_control = _parse_against_control(d.pop("against_control", UNSET))


        variant_result = cls(
            clicks=clicks,
            conversion=conversion,
            conversions=conversions,
            ctr=ctr,
            items_shown=items_shown,
            list_ctr=list_ctr,
            lists=lists,
            name=name,
            users=users,
            against_control=against_control,
        )


        variant_result.additional_properties = d
        return variant_result

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
