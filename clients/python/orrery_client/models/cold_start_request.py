from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.onboarding_rating import OnboardingRating





T = TypeVar("T", bound="ColdStartRequest")



@_attrs_define
class ColdStartRequest:
    """ A new user's request: demographics, interests or genres, and a few onboarding ratings.

        Attributes:
            age (int | None | Unset): Demographics.
            gender (None | str | Unset): Demographics.
            genres (list[str] | Unset): Favourite genres (same as interests).
            interests (list[str] | Unset): Interests.
            n_recommendations (int | None | Unset): Items to return (1–500, default 10).
            occupation (None | str | Unset): Demographics.
            ratings (list[OnboardingRating] | Unset): A few ratings of onboarding movies.
            user_id (None | str | Unset): An existing user, if the request is for one (their stored record is not read).
     """

    age: int | None | Unset = UNSET
    gender: None | str | Unset = UNSET
    genres: list[str] | Unset = UNSET
    interests: list[str] | Unset = UNSET
    n_recommendations: int | None | Unset = UNSET
    occupation: None | str | Unset = UNSET
    ratings: list[OnboardingRating] | Unset = UNSET
    user_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.onboarding_rating import OnboardingRating # noqa: PLC0415
        age: int | None | Unset
        if isinstance(self.age, Unset):
            age = UNSET
        else:
            age = self.age

        gender: None | str | Unset
        if isinstance(self.gender, Unset):
            gender = UNSET
        else:
            gender = self.gender

        genres: list[str] | Unset = UNSET
        if not isinstance(self.genres, Unset):
            genres = self.genres



        interests: list[str] | Unset = UNSET
        if not isinstance(self.interests, Unset):
            interests = self.interests



        n_recommendations: int | None | Unset
        if isinstance(self.n_recommendations, Unset):
            n_recommendations = UNSET
        else:
            n_recommendations = self.n_recommendations

        occupation: None | str | Unset
        if isinstance(self.occupation, Unset):
            occupation = UNSET
        else:
            occupation = self.occupation

        ratings: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.ratings, Unset):
            ratings = []
            for ratings_item_data in self.ratings:
                ratings_item = ratings_item_data.to_dict()
                ratings.append(ratings_item)



        user_id: None | str | Unset
        if isinstance(self.user_id, Unset):
            user_id = UNSET
        else:
            user_id = self.user_id


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
        })
        if age is not UNSET:
            field_dict["age"] = age
        if gender is not UNSET:
            field_dict["gender"] = gender
        if genres is not UNSET:
            field_dict["genres"] = genres
        if interests is not UNSET:
            field_dict["interests"] = interests
        if n_recommendations is not UNSET:
            field_dict["n_recommendations"] = n_recommendations
        if occupation is not UNSET:
            field_dict["occupation"] = occupation
        if ratings is not UNSET:
            field_dict["ratings"] = ratings
        if user_id is not UNSET:
            field_dict["user_id"] = user_id

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.onboarding_rating import OnboardingRating # noqa: PLC0415
        d = dict(src_dict)
        def _parse_age(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        age = _parse_age(d.pop("age", UNSET))


        def _parse_gender(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        gender = _parse_gender(d.pop("gender", UNSET))


        genres = cast(list[str], d.pop("genres", UNSET))


        interests = cast(list[str], d.pop("interests", UNSET))


        def _parse_n_recommendations(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        n_recommendations = _parse_n_recommendations(d.pop("n_recommendations", UNSET))


        def _parse_occupation(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        occupation = _parse_occupation(d.pop("occupation", UNSET))


        _ratings = d.pop("ratings", UNSET)
        ratings: list[OnboardingRating] | Unset = UNSET
        if _ratings is not UNSET:
            ratings = []
            for ratings_item_data in _ratings:
                ratings_item = OnboardingRating.from_dict(ratings_item_data)



                ratings.append(ratings_item)


        def _parse_user_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        user_id = _parse_user_id(d.pop("user_id", UNSET))


        cold_start_request = cls(
            age=age,
            gender=gender,
            genres=genres,
            interests=interests,
            n_recommendations=n_recommendations,
            occupation=occupation,
            ratings=ratings,
            user_id=user_id,
        )


        cold_start_request.additional_properties = d
        return cold_start_request

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
