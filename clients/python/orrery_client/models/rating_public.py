from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="RatingPublic")



@_attrs_define
class RatingPublic:
    """ A rating as stored.

        Attributes:
            movie_id (str): The movie.
            rating (float): The rating.
            timestamp (int): Unix seconds.
            user_id (str): The user.
     """

    movie_id: str
    rating: float
    timestamp: int
    user_id: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        movie_id = self.movie_id

        rating = self.rating

        timestamp = self.timestamp

        user_id = self.user_id


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "movie_id": movie_id,
            "rating": rating,
            "timestamp": timestamp,
            "user_id": user_id,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        movie_id = d.pop("movie_id")

        rating = d.pop("rating")

        timestamp = d.pop("timestamp")

        user_id = d.pop("user_id")

        rating_public = cls(
            movie_id=movie_id,
            rating=rating,
            timestamp=timestamp,
            user_id=user_id,
        )


        rating_public.additional_properties = d
        return rating_public

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
