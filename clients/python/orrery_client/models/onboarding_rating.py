from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="OnboardingRating")



@_attrs_define
class OnboardingRating:
    """ An onboarding rating.

        Attributes:
            movie_id (str): The movie (or any item).
            rating (float): On the stored data's rating scale (0.5 to 5 unless an import kept another).
     """

    movie_id: str
    rating: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        movie_id = self.movie_id

        rating = self.rating


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "movie_id": movie_id,
            "rating": rating,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        movie_id = d.pop("movie_id")

        rating = d.pop("rating")

        onboarding_rating = cls(
            movie_id=movie_id,
            rating=rating,
        )


        onboarding_rating.additional_properties = d
        return onboarding_rating

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
