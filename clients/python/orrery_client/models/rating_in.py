from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="RatingIn")



@_attrs_define
class RatingIn:
    """ One rating.

        Attributes:
            movie_id (str): The movie (or any item).
            rating (float): On the stored data's rating scale (0.5 to 5 unless an import kept another).
            user_id (str): The user.
            recommendation_id (None | str | Unset): The `recommendation_id` of the served list that showed the item, when
                the client
                has it: the interaction counts as that list's outcome (without it, the user's
                latest list showing the item within the attribution window is credited).
            timestamp (int | None | Unset): Unix seconds (default: now).
     """

    movie_id: str
    rating: float
    user_id: str
    recommendation_id: None | str | Unset = UNSET
    timestamp: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        movie_id = self.movie_id

        rating = self.rating

        user_id = self.user_id

        recommendation_id: None | str | Unset
        if isinstance(self.recommendation_id, Unset):
            recommendation_id = UNSET
        else:
            recommendation_id = self.recommendation_id

        timestamp: int | None | Unset
        if isinstance(self.timestamp, Unset):
            timestamp = UNSET
        else:
            timestamp = self.timestamp


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "movie_id": movie_id,
            "rating": rating,
            "user_id": user_id,
        })
        if recommendation_id is not UNSET:
            field_dict["recommendation_id"] = recommendation_id
        if timestamp is not UNSET:
            field_dict["timestamp"] = timestamp

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        movie_id = d.pop("movie_id")

        rating = d.pop("rating")

        user_id = d.pop("user_id")

        def _parse_recommendation_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        recommendation_id = _parse_recommendation_id(d.pop("recommendation_id", UNSET))


        def _parse_timestamp(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        timestamp = _parse_timestamp(d.pop("timestamp", UNSET))


        rating_in = cls(
            movie_id=movie_id,
            rating=rating,
            user_id=user_id,
            recommendation_id=recommendation_id,
            timestamp=timestamp,
        )


        rating_in.additional_properties = d
        return rating_in

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
