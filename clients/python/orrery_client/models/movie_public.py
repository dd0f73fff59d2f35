from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="MoviePublic")



@_attrs_define
class MoviePublic:
    """ An item in the `/movies` shape: title, genres and year.

        Attributes:
            genres (list[str]): Genres (every category value).
            id (str): The id again, for clients that call it `id`.
            movie_id (str): The id.
            title (str): Title.
            year (int | None | Unset): Release year.
     """

    genres: list[str]
    id: str
    movie_id: str
    title: str
    year: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        genres = self.genres



        id = self.id

        movie_id = self.movie_id

        title = self.title

        year: int | None | Unset
        if isinstance(self.year, Unset):
            year = UNSET
        else:
            year = self.year


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "genres": genres,
            "id": id,
            "movie_id": movie_id,
            "title": title,
        })
        if year is not UNSET:
            field_dict["year"] = year

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        genres = cast(list[str], d.pop("genres"))


        id = d.pop("id")

        movie_id = d.pop("movie_id")

        title = d.pop("title")

        def _parse_year(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        year = _parse_year(d.pop("year", UNSET))


        movie_public = cls(
            genres=genres,
            id=id,
            movie_id=movie_id,
            title=title,
            year=year,
        )


        movie_public.additional_properties = d
        return movie_public

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
