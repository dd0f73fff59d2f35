from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.feedback_type import FeedbackType
from typing import cast

if TYPE_CHECKING:
  from ..models.interaction_out import InteractionOut





T = TypeVar("T", bound="FeedbackRecorded")



@_attrs_define
class FeedbackRecorded:
    """ What feedback was stored as.

        Attributes:
            feedback_type (FeedbackType): Kinds of feedback.
            interaction (InteractionOut): An interaction as stored.
            status (str): `recorded` or `duplicate`.
     """

    feedback_type: FeedbackType
    interaction: InteractionOut
    status: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.interaction_out import InteractionOut # noqa: PLC0415
        feedback_type = self.feedback_type.value

        interaction = self.interaction.to_dict()

        status = self.status


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "feedback_type": feedback_type,
            "interaction": interaction,
            "status": status,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.interaction_out import InteractionOut # noqa: PLC0415
        d = dict(src_dict)
        feedback_type = FeedbackType(d.pop("feedback_type"))




        interaction = InteractionOut.from_dict(d.pop("interaction"))




        status = d.pop("status")

        feedback_recorded = cls(
            feedback_type=feedback_type,
            interaction=interaction,
            status=status,
        )


        feedback_recorded.additional_properties = d
        return feedback_recorded

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
