from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="Comparison")



@_attrs_define
class Comparison:
    """ A variant's rate against its control's.

        Attributes:
            difference (float): The variant's rate minus the control's.
            large_enough (bool): Whether both samples are large enough for the test (see
                [`Proportion::large_enough`]).
            p_value (float): The two-sided p-value: how likely a difference at least this large is when both
                rates are in truth equal (1 when there is nothing to compare).
            z (float): The z statistic (pooled for [`compare`], from the users' variances for
                [`compare_clustered`]).
            lift (float | None | Unset): Relative lift: the variant's rate over the control's, minus 1 (`None` when the
                control's rate is 0).
     """

    difference: float
    large_enough: bool
    p_value: float
    z: float
    lift: float | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        difference = self.difference

        large_enough = self.large_enough

        p_value = self.p_value

        z = self.z

        lift: float | None | Unset
        if isinstance(self.lift, Unset):
            lift = UNSET
        else:
            lift = self.lift


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "difference": difference,
            "large_enough": large_enough,
            "p_value": p_value,
            "z": z,
        })
        if lift is not UNSET:
            field_dict["lift"] = lift

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        difference = d.pop("difference")

        large_enough = d.pop("large_enough")

        p_value = d.pop("p_value")

        z = d.pop("z")

        def _parse_lift(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        lift = _parse_lift(d.pop("lift", UNSET))


        comparison = cls(
            difference=difference,
            large_enough=large_enough,
            p_value=p_value,
            z=z,
            lift=lift,
        )


        comparison.additional_properties = d
        return comparison

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
