from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.user_similarity import UserSimilarity
from typing import cast

if TYPE_CHECKING:
  from ..models.user_neighbour import UserNeighbour





T = TypeVar("T", bound="SimilarUsers")



@_attrs_define
class SimilarUsers:
    """ Users with taste close to one user's.

        Attributes:
            algorithm (str): The active model's algorithm.
            basis (UserSimilarity): How user similarity was measured.
            model_version (int): The active model's version.
            similar (list[UserNeighbour]): Most similar first.
            user_id (str): The user.
     """

    algorithm: str
    basis: UserSimilarity
    model_version: int
    similar: list[UserNeighbour]
    user_id: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.user_neighbour import UserNeighbour # noqa: PLC0415
        algorithm = self.algorithm

        basis = self.basis.value

        model_version = self.model_version

        similar = []
        for similar_item_data in self.similar:
            similar_item = similar_item_data.to_dict()
            similar.append(similar_item)



        user_id = self.user_id


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "algorithm": algorithm,
            "basis": basis,
            "model_version": model_version,
            "similar": similar,
            "user_id": user_id,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.user_neighbour import UserNeighbour # noqa: PLC0415
        d = dict(src_dict)
        algorithm = d.pop("algorithm")

        basis = UserSimilarity(d.pop("basis"))




        model_version = d.pop("model_version")

        similar = []
        _similar = d.pop("similar")
        for similar_item_data in (_similar):
            similar_item = UserNeighbour.from_dict(similar_item_data)



            similar.append(similar_item)


        user_id = d.pop("user_id")

        similar_users = cls(
            algorithm=algorithm,
            basis=basis,
            model_version=model_version,
            similar=similar,
            user_id=user_id,
        )


        similar_users.additional_properties = d
        return similar_users

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
