from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.user_public import UserPublic





T = TypeVar("T", bound="UserList")



@_attrs_define
class UserList:
    """ A page of users.

        Attributes:
            page (int): This page, from 1.
            pages (int): Number of pages.
            size (int): Page size.
            total (int): Users matching the filters, over all pages.
            users (list[UserPublic]): The users of this page.
     """

    page: int
    pages: int
    size: int
    total: int
    users: list[UserPublic]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.user_public import UserPublic # noqa: PLC0415
        page = self.page

        pages = self.pages

        size = self.size

        total = self.total

        users = []
        for users_item_data in self.users:
            users_item = users_item_data.to_dict()
            users.append(users_item)




        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "page": page,
            "pages": pages,
            "size": size,
            "total": total,
            "users": users,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.user_public import UserPublic # noqa: PLC0415
        d = dict(src_dict)
        page = d.pop("page")

        pages = d.pop("pages")

        size = d.pop("size")

        total = d.pop("total")

        users = []
        _users = d.pop("users")
        for users_item_data in (_users):
            users_item = UserPublic.from_dict(users_item_data)



            users.append(users_item)


        user_list = cls(
            page=page,
            pages=pages,
            size=size,
            total=total,
            users=users,
        )


        user_list.additional_properties = d
        return user_list

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
