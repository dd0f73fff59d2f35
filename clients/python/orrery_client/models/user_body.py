from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.demographics import Demographics





T = TypeVar("T", bound="UserBody")



@_attrs_define
class UserBody:
    """ A user to create or the fields to change.

        Attributes:
            age (int | None | Unset): Age in years.
            demographics (Demographics | None | Unset):
            email (None | str | Unset): Sign-in email.
            gender (None | str | Unset): e.g. `F`, `M`.
            interests (list[str] | None | Unset): Stated interests, matched against item categories and tags.
            occupation (None | str | Unset): Occupation (MovieLens sends a code such as 4).
            password (None | str | Unset): Password, at least 8 characters; stored as an argon2 hash.
            skill_level (None | str | Unset): e.g. `beginner`, `intermediate`.
            user_id (None | str | Unset): The id (a string; a number means the same id). Generated when omitted.
            username (None | str | Unset): Display name.
            zip_code (None | str | Unset): Postal code.
     """

    age: int | None | Unset = UNSET
    demographics: Demographics | None | Unset = UNSET
    email: None | str | Unset = UNSET
    gender: None | str | Unset = UNSET
    interests: list[str] | None | Unset = UNSET
    occupation: None | str | Unset = UNSET
    password: None | str | Unset = UNSET
    skill_level: None | str | Unset = UNSET
    user_id: None | str | Unset = UNSET
    username: None | str | Unset = UNSET
    zip_code: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.demographics import Demographics # noqa: PLC0415
        age: int | None | Unset
        if isinstance(self.age, Unset):
            age = UNSET
        else:
            age = self.age

        demographics: dict[str, Any] | None | Unset
        if isinstance(self.demographics, Unset):
            demographics = UNSET
        elif isinstance(self.demographics, Demographics):
            demographics = self.demographics.to_dict()
        else:
            demographics = self.demographics

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

        interests: list[str] | None | Unset
        if isinstance(self.interests, Unset):
            interests = UNSET
        elif isinstance(self.interests, list):
            interests = self.interests


        else:
            interests = self.interests

        occupation: None | str | Unset
        if isinstance(self.occupation, Unset):
            occupation = UNSET
        else:
            occupation = self.occupation

        password: None | str | Unset
        if isinstance(self.password, Unset):
            password = UNSET
        else:
            password = self.password

        skill_level: None | str | Unset
        if isinstance(self.skill_level, Unset):
            skill_level = UNSET
        else:
            skill_level = self.skill_level

        user_id: None | str | Unset
        if isinstance(self.user_id, Unset):
            user_id = UNSET
        else:
            user_id = self.user_id

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
        })
        if age is not UNSET:
            field_dict["age"] = age
        if demographics is not UNSET:
            field_dict["demographics"] = demographics
        if email is not UNSET:
            field_dict["email"] = email
        if gender is not UNSET:
            field_dict["gender"] = gender
        if interests is not UNSET:
            field_dict["interests"] = interests
        if occupation is not UNSET:
            field_dict["occupation"] = occupation
        if password is not UNSET:
            field_dict["password"] = password
        if skill_level is not UNSET:
            field_dict["skill_level"] = skill_level
        if user_id is not UNSET:
            field_dict["user_id"] = user_id
        if username is not UNSET:
            field_dict["username"] = username
        if zip_code is not UNSET:
            field_dict["zip_code"] = zip_code

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.demographics import Demographics # noqa: PLC0415
        d = dict(src_dict)
        def _parse_age(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        age = _parse_age(d.pop("age", UNSET))


        def _parse_demographics(data: object) -> Demographics | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                demographics_type_0 = Demographics.from_dict(data)



                return demographics_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Demographics | None | Unset, data)

        demographics = _parse_demographics(d.pop("demographics", UNSET))


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


        def _parse_interests(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                interests_type_0 = cast(list[str], data)

                return interests_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        interests = _parse_interests(d.pop("interests", UNSET))


        def _parse_occupation(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        occupation = _parse_occupation(d.pop("occupation", UNSET))


        def _parse_password(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        password = _parse_password(d.pop("password", UNSET))


        def _parse_skill_level(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        skill_level = _parse_skill_level(d.pop("skill_level", UNSET))


        def _parse_user_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        user_id = _parse_user_id(d.pop("user_id", UNSET))


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


        user_body = cls(
            age=age,
            demographics=demographics,
            email=email,
            gender=gender,
            interests=interests,
            occupation=occupation,
            password=password,
            skill_level=skill_level,
            user_id=user_id,
            username=username,
            zip_code=zip_code,
        )


        user_body.additional_properties = d
        return user_body

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
