from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.onboarding_movie import OnboardingMovie





T = TypeVar("T", bound="OnboardingResponse")



@_attrs_define
class OnboardingResponse:
    """ The onboarding list.

        Attributes:
            genres_covered (int): Distinct genres among them.
            movies (list[OnboardingMovie]): Popular movies, spread across genres.
            total (int): How many.
            recommendation_id (None | str | Unset): The id this list is recorded under (see `RecommendationResponse`).
     """

    genres_covered: int
    movies: list[OnboardingMovie]
    total: int
    recommendation_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.onboarding_movie import OnboardingMovie # noqa: PLC0415
        genres_covered = self.genres_covered

        movies = []
        for movies_item_data in self.movies:
            movies_item = movies_item_data.to_dict()
            movies.append(movies_item)



        total = self.total

        recommendation_id: None | str | Unset
        if isinstance(self.recommendation_id, Unset):
            recommendation_id = UNSET
        else:
            recommendation_id = self.recommendation_id


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "genres_covered": genres_covered,
            "movies": movies,
            "total": total,
        })
        if recommendation_id is not UNSET:
            field_dict["recommendation_id"] = recommendation_id

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.onboarding_movie import OnboardingMovie # noqa: PLC0415
        d = dict(src_dict)
        genres_covered = d.pop("genres_covered")

        movies = []
        _movies = d.pop("movies")
        for movies_item_data in (_movies):
            movies_item = OnboardingMovie.from_dict(movies_item_data)



            movies.append(movies_item)


        total = d.pop("total")

        def _parse_recommendation_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        recommendation_id = _parse_recommendation_id(d.pop("recommendation_id", UNSET))


        onboarding_response = cls(
            genres_covered=genres_covered,
            movies=movies,
            total=total,
            recommendation_id=recommendation_id,
        )


        onboarding_response.additional_properties = d
        return onboarding_response

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
