from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="UserPublic")



@_attrs_define
class UserPublic:
    """ A user as the API shows it.

        Attributes:
            id (str): The id again, for clients that call it `id`.
            interests (list[str]): Stated interests.
            user_id (str): The id.
            age (int | None | Unset): Demographics.
            email (None | str | Unset): Sign-in email.
            gender (None | str | Unset): Demographics.
            history (list[str] | None | Unset): Items the user interacted with, oldest first (single-user reads only).
            interactions (int | None | Unset): Number of stored interactions (single-user reads only).
            occupation (None | str | Unset): Demographics.
            skill_level (None | str | Unset): Skill level.
            username (None | str | Unset): Display name.
            zip_code (None | str | Unset): Demographics.
     """

    id: str
    interests: list[str]
    user_id: str
    age: int | None | Unset = UNSET
    email: None | str | Unset = UNSET
    gender: None | str | Unset = UNSET
    history: list[str] | None | Unset = UNSET
    interactions: int | None | Unset = UNSET
    occupation: None | str | Unset = UNSET
    skill_level: None | str | Unset = UNSET
    username: None | str | Unset = UNSET
    zip_code: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        id = self.id

        interests = self.interests



        user_id = self.user_id

        age: int | None | Unset
        if isinstance(self.age, Unset):
            age = UNSET
        else:
            age = self.age

        email: None | str | Unset
        if isinstance(self.email, Unset):
            email = UNSET
        else:
            email = self.email

        gender: None | str | Unset
        if isinstance(self.gender, Unset):
            gender = UNSET
        else:
            gender = self.gender

        history: list[str] | None | Unset
        if isinstance(self.history, Unset):
            history = UNSET
        elif isinstance(self.history, list):
            history = self.history


        else:
            history = self.history

        interactions: int | None | Unset
        if isinstance(self.interactions, Unset):
            interactions = UNSET
        else:
            interactions = self.interactions

        occupation: None | str | Unset
        if isinstance(self.occupation, Unset):
            occupation = UNSET
        else:
            occupation = self.occupation

        skill_level: None | str | Unset
        if isinstance(self.skill_level, Unset):
            skill_level = UNSET
        else:
            skill_level = self.skill_level

        username: None | str | Unset
        if isinstance(self.username, Unset):
            username = UNSET
        else:
            username = self.username

        zip_code: None | str | Unset
        if isinstance(self.zip_code, Unset):
            zip_code = UNSET
        else:
            zip_code = self.zip_code


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "id": id,
            "interests": interests,
            "user_id": user_id,
        })
        if age is not UNSET:
            field_dict["age"] = age
        if email is not UNSET:
            field_dict["email"] = email
        if gender is not UNSET:
            field_dict["gender"] = gender
        if history is not UNSET:
            field_dict["history"] = history
        if interactions is not UNSET:
            field_dict["interactions"] = interactions
        if occupation is not UNSET:
            field_dict["occupation"] = occupation
        if skill_level is not UNSET:
            field_dict["skill_level"] = skill_level
        if username is not UNSET:
            field_dict["username"] = username
        if zip_code is not UNSET:
            field_dict["zip_code"] = zip_code

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        interests = cast(list[str], d.pop("interests"))


        user_id = d.pop("user_id")

        def _parse_age(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        age = _parse_age(d.pop("age", UNSET))


        def _parse_email(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        email = _parse_email(d.pop("email", UNSET))


        def _parse_gender(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        gender = _parse_gender(d.pop("gender", UNSET))


        def _parse_history(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                history_type_0 = cast(list[str], data)

                return history_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        history = _parse_history(d.pop("history", UNSET))


        def _parse_interactions(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        interactions = _parse_interactions(d.pop("interactions", UNSET))


        def _parse_occupation(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        occupation = _parse_occupation(d.pop("occupation", UNSET))


        def _parse_skill_level(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        skill_level = _parse_skill_level(d.pop("skill_level", UNSET))


        def _parse_username(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        username = _parse_username(d.pop("username", UNSET))


        def _parse_zip_code(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        zip_code = _parse_zip_code(d.pop("zip_code", UNSET))


        user_public = cls(
            id=id,
            interests=interests,
            user_id=user_id,
            age=age,
            email=email,
            gender=gender,
            history=history,
            interactions=interactions,
            occupation=occupation,
            skill_level=skill_level,
            username=username,
            zip_code=zip_code,
        )


        user_public.additional_properties = d
        return user_public

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
