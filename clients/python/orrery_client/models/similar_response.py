from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.method import Method
from ..models.similarity_basis import SimilarityBasis
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.recommended_item import RecommendedItem





T = TypeVar("T", bound="SimilarResponse")



@_attrs_define
class SimilarResponse:
    """ Items similar to one item.

        Attributes:
            basis (SimilarityBasis): What a similar-items list was computed from.
            item_id (str): The item.
            method (Method): How a list was made.
            similar (list[RecommendedItem]): Similar items, most similar first.
            recommendation_id (None | str | Unset): The id this list is recorded under (see `RecommendationResponse`).
     """

    basis: SimilarityBasis
    item_id: str
    method: Method
    similar: list[RecommendedItem]
    recommendation_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.recommended_item import RecommendedItem # noqa: PLC0415
        basis = self.basis.value

        item_id = self.item_id

        method = self.method.value

        similar = []
        for similar_item_data in self.similar:
            similar_item = similar_item_data.to_dict()
            similar.append(similar_item)



        recommendation_id: None | str | Unset
        if isinstance(self.recommendation_id, Unset):
            recommendation_id = UNSET
        else:
            recommendation_id = self.recommendation_id


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "basis": basis,
            "item_id": item_id,
            "method": method,
            "similar": similar,
        })
        if recommendation_id is not UNSET:
            field_dict["recommendation_id"] = recommendation_id

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.recommended_item import RecommendedItem # noqa: PLC0415
        d = dict(src_dict)
        basis = SimilarityBasis(d.pop("basis"))




        item_id = d.pop("item_id")

        method = Method(d.pop("method"))




        similar = []
        _similar = d.pop("similar")
        for similar_item_data in (_similar):
            similar_item = RecommendedItem.from_dict(similar_item_data)



            similar.append(similar_item)


        def _parse_recommendation_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        recommendation_id = _parse_recommendation_id(d.pop("recommendation_id", UNSET))


        similar_response = cls(
            basis=basis,
            item_id=item_id,
            method=method,
            similar=similar,
            recommendation_id=recommendation_id,
        )


        similar_response.additional_properties = d
        return similar_response

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
