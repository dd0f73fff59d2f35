from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.text_encoder_out import TextEncoderOut





T = TypeVar("T", bound="StatsResponse")



@_attrs_define
class StatsResponse:
    """ What is stored, and what processes it.

        Attributes:
            active_users (int): Users with at least one interaction.
            backend (str): `sqlite` or `postgres`.
            density (float): Distinct user–item pairs over users × items.
            interactions (int): Interactions stored.
            items (int): Items stored.
            text_encoder (TextEncoderOut): The text encoder that item text goes through.
            users (int): Users stored.
            mean_rating (float | None | Unset): Mean of the explicit ratings, when there are any.
     """

    active_users: int
    backend: str
    density: float
    interactions: int
    items: int
    text_encoder: TextEncoderOut
    users: int
    mean_rating: float | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.text_encoder_out import TextEncoderOut # noqa: PLC0415
        active_users = self.active_users

        backend = self.backend

        density = self.density

        interactions = self.interactions

        items = self.items

        text_encoder = self.text_encoder.to_dict()

        users = self.users

        mean_rating: float | None | Unset
        if isinstance(self.mean_rating, Unset):
            mean_rating = UNSET
        else:
            mean_rating = self.mean_rating


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "active_users": active_users,
            "backend": backend,
            "density": density,
            "interactions": interactions,
            "items": items,
            "text_encoder": text_encoder,
            "users": users,
        })
        if mean_rating is not UNSET:
            field_dict["mean_rating"] = mean_rating

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.text_encoder_out import TextEncoderOut # noqa: PLC0415
        d = dict(src_dict)
        active_users = d.pop("active_users")

        backend = d.pop("backend")

        density = d.pop("density")

        interactions = d.pop("interactions")

        items = d.pop("items")

        text_encoder = TextEncoderOut.from_dict(d.pop("text_encoder"))




        users = d.pop("users")

        def _parse_mean_rating(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        mean_rating = _parse_mean_rating(d.pop("mean_rating", UNSET))


        stats_response = cls(
            active_users=active_users,
            backend=backend,
            density=density,
            interactions=interactions,
            items=items,
            text_encoder=text_encoder,
            users=users,
            mean_rating=mean_rating,
        )


        stats_response.additional_properties = d
        return stats_response

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
