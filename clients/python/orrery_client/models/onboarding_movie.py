from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast






T = TypeVar("T", bound="OnboardingMovie")



@_attrs_define
class OnboardingMovie:
    """ A movie to rate while onboarding.

        Attributes:
            genres (list[str]): Genres.
            item_id (str): The movie again, as `item_id`.
            movie_id (str): The movie.
            popularity (float): Popularity in [0, 1].
            title (str): Title.
     """

    genres: list[str]
    item_id: str
    movie_id: str
    popularity: float
    title: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        genres = self.genres



        item_id = self.item_id

        movie_id = self.movie_id

        popularity = self.popularity

        title = self.title


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "genres": genres,
            "item_id": item_id,
            "movie_id": movie_id,
            "popularity": popularity,
            "title": title,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        genres = cast(list[str], d.pop("genres"))


        item_id = d.pop("item_id")

        movie_id = d.pop("movie_id")

        popularity = d.pop("popularity")

        title = d.pop("title")

        onboarding_movie = cls(
            genres=genres,
            item_id=item_id,
            movie_id=movie_id,
            popularity=popularity,
            title=title,
        )


        onboarding_movie.additional_properties = d
        return onboarding_movie

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
