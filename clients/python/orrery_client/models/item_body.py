from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.category_in_type_0 import CategoryInType0
  from ..models.item_body_attributes_type_0 import ItemBodyAttributesType0





T = TypeVar("T", bound="ItemBody")



@_attrs_define
class ItemBody:
    """ An item to create, or the fields to change. `item_id`, `content_id` and `movie_id` all
    name the item.

        Attributes:
            attributes (ItemBodyAttributesType0 | None | Unset): Anything else.
            categories (list[CategoryInType0 | str] | None | Unset): Typed categories.
            category (None | str | Unset): One category, of type `category`.
            description (None | str | Unset): Free text.
            genres (list[str] | None | str | Unset):
            item_id (None | str | Unset): The id (a number means the same id). Movies get the next free number when omitted.
            tags (list[str] | None | Unset): Tags.
            title (None | str | Unset): Title (required when creating).
            year (int | None | Unset): Release year.
     """

    attributes: ItemBodyAttributesType0 | None | Unset = UNSET
    categories: list[CategoryInType0 | str] | None | Unset = UNSET
    category: None | str | Unset = UNSET
    description: None | str | Unset = UNSET
    genres: list[str] | None | str | Unset = UNSET
    item_id: None | str | Unset = UNSET
    tags: list[str] | None | Unset = UNSET
    title: None | str | Unset = UNSET
    year: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.category_in_type_0 import CategoryInType0 # noqa: PLC0415
        from ..models.item_body_attributes_type_0 import ItemBodyAttributesType0 # noqa: PLC0415
        attributes: dict[str, Any] | None | Unset
        if isinstance(self.attributes, Unset):
            attributes = UNSET
        elif isinstance(self.attributes, ItemBodyAttributesType0):
            attributes = self.attributes.to_dict()
        else:
            attributes = self.attributes

        categories: list[dict[str, Any] | str] | None | Unset
        if isinstance(self.categories, Unset):
            categories = UNSET
        elif isinstance(self.categories, list):
            categories = []
            for categories_type_0_item_data in self.categories:
                categories_type_0_item: dict[str, Any] | str
                if isinstance(categories_type_0_item_data, CategoryInType0):
                    categories_type_0_item = categories_type_0_item_data.to_dict()
                else:
                    categories_type_0_item = categories_type_0_item_data
                categories.append(categories_type_0_item)


        else:
            categories = self.categories

        category: None | str | Unset
        if isinstance(self.category, Unset):
            category = UNSET
        else:
            category = self.category

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        genres: list[str] | None | str | Unset
        if isinstance(self.genres, Unset):
            genres = UNSET
        elif isinstance(self.genres, list):
            genres = self.genres


        else:
            genres = self.genres

        item_id: None | str | Unset
        if isinstance(self.item_id, Unset):
            item_id = UNSET
        else:
            item_id = self.item_id

        tags: list[str] | None | Unset
        if isinstance(self.tags, Unset):
            tags = UNSET
        elif isinstance(self.tags, list):
            tags = self.tags


        else:
            tags = self.tags

        title: None | str | Unset
        if isinstance(self.title, Unset):
            title = UNSET
        else:
            title = self.title

        year: int | None | Unset
        if isinstance(self.year, Unset):
            year = UNSET
        else:
            year = self.year


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
        })
        if attributes is not UNSET:
            field_dict["attributes"] = attributes
        if categories is not UNSET:
            field_dict["categories"] = categories
        if category is not UNSET:
            field_dict["category"] = category
        if description is not UNSET:
            field_dict["description"] = description
        if genres is not UNSET:
            field_dict["genres"] = genres
        if item_id is not UNSET:
            field_dict["item_id"] = item_id
        if tags is not UNSET:
            field_dict["tags"] = tags
        if title is not UNSET:
            field_dict["title"] = title
        if year is not UNSET:
            field_dict["year"] = year

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.category_in_type_0 import CategoryInType0 # noqa: PLC0415
        from ..models.item_body_attributes_type_0 import ItemBodyAttributesType0 # noqa: PLC0415
        d = dict(src_dict)
        def _parse_attributes(data: object) -> ItemBodyAttributesType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                attributes_type_0 = ItemBodyAttributesType0.from_dict(data)



                return attributes_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ItemBodyAttributesType0 | None | Unset, data)

        attributes = _parse_attributes(d.pop("attributes", UNSET))


        def _parse_categories(data: object) -> list[CategoryInType0 | str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                categories_type_0 = []
                _categories_type_0 = data
                for categories_type_0_item_data in (_categories_type_0):
                    def _parse_categories_type_0_item(data: object) -> CategoryInType0 | str:
                        try:
                            if not isinstance(data, dict):
                                raise TypeError()
                            componentsschemas_category_in_type_0 = CategoryInType0.from_dict(data)



                            return componentsschemas_category_in_type_0
                        except (TypeError, ValueError, AttributeError, KeyError):
                            pass
                        return cast(CategoryInType0 | str, data)

                    categories_type_0_item = _parse_categories_type_0_item(categories_type_0_item_data)

                    categories_type_0.append(categories_type_0_item)

                return categories_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[CategoryInType0 | str] | None | Unset, data)

        categories = _parse_categories(d.pop("categories", UNSET))


        def _parse_category(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        category = _parse_category(d.pop("category", UNSET))


        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))


        def _parse_genres(data: object) -> list[str] | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                componentsschemas_genres_type_0 = cast(list[str], data)

                return componentsschemas_genres_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | str | Unset, data)

        genres = _parse_genres(d.pop("genres", UNSET))


        def _parse_item_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        item_id = _parse_item_id(d.pop("item_id", UNSET))


        def _parse_tags(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                tags_type_0 = cast(list[str], data)

                return tags_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        tags = _parse_tags(d.pop("tags", UNSET))


        def _parse_title(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        title = _parse_title(d.pop("title", UNSET))


        def _parse_year(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        year = _parse_year(d.pop("year", UNSET))


        item_body = cls(
            attributes=attributes,
            categories=categories,
            category=category,
            description=description,
            genres=genres,
            item_id=item_id,
            tags=tags,
            title=title,
            year=year,
        )


        item_body.additional_properties = d
        return item_body

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
