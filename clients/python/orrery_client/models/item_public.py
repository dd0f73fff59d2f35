from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.category_out import CategoryOut
  from ..models.item_public_attributes import ItemPublicAttributes





T = TypeVar("T", bound="ItemPublic")



@_attrs_define
class ItemPublic:
    """ An item as `/items` shows it.

        Attributes:
            attributes (ItemPublicAttributes): Anything else.
            categories (list[CategoryOut]): Typed categories.
            item_id (str): The id.
            tags (list[str]): Tags.
            title (str): Title.
            description (None | str | Unset): Free text.
            year (int | None | Unset): Release year.
     """

    attributes: ItemPublicAttributes
    categories: list[CategoryOut]
    item_id: str
    tags: list[str]
    title: str
    description: None | str | Unset = UNSET
    year: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.category_out import CategoryOut # noqa: PLC0415
        from ..models.item_public_attributes import ItemPublicAttributes # noqa: PLC0415
        attributes = self.attributes.to_dict()

        categories = []
        for categories_item_data in self.categories:
            categories_item = categories_item_data.to_dict()
            categories.append(categories_item)



        item_id = self.item_id

        tags = self.tags



        title = self.title

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        year: int | None | Unset
        if isinstance(self.year, Unset):
            year = UNSET
        else:
            year = self.year


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "attributes": attributes,
            "categories": categories,
            "item_id": item_id,
            "tags": tags,
            "title": title,
        })
        if description is not UNSET:
            field_dict["description"] = description
        if year is not UNSET:
            field_dict["year"] = year

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.category_out import CategoryOut # noqa: PLC0415
        from ..models.item_public_attributes import ItemPublicAttributes # noqa: PLC0415
        d = dict(src_dict)
        attributes = ItemPublicAttributes.from_dict(d.pop("attributes"))




        categories = []
        _categories = d.pop("categories")
        for categories_item_data in (_categories):
            categories_item = CategoryOut.from_dict(categories_item_data)



            categories.append(categories_item)


        item_id = d.pop("item_id")

        tags = cast(list[str], d.pop("tags"))


        title = d.pop("title")

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))


        def _parse_year(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        year = _parse_year(d.pop("year", UNSET))


        item_public = cls(
            attributes=attributes,
            categories=categories,
            item_id=item_id,
            tags=tags,
            title=title,
            description=description,
            year=year,
        )


        item_public.additional_properties = d
        return item_public

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
