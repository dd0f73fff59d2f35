from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.active_model import ActiveModel
  from ..models.cache_health import CacheHealth
  from ..models.database import Database
  from ..models.text_encoder import TextEncoder





T = TypeVar("T", bound="Health")



@_attrs_define
class Health:
    """ Service health.

        Attributes:
            cache (CacheHealth): The cache's state, for `GET /health`.
            catalog_items (int): Items that can be recommended.
            database (Database): The database.
            service (str): Always `orrery`.
            status (str): `ok`, or `degraded` when the database does not answer.
            text_encoder (TextEncoder): The text encoder that embeds items and interests, and how far the catalog is
                embedded.
            training (bool): Whether a training is running.
            uptime_seconds (float): Seconds since the service started.
            version (str): The service version.
            active_model (ActiveModel | None | Unset):
            rating_model (ActiveModel | None | Unset):
     """

    cache: CacheHealth
    catalog_items: int
    database: Database
    service: str
    status: str
    text_encoder: TextEncoder
    training: bool
    uptime_seconds: float
    version: str
    active_model: ActiveModel | None | Unset = UNSET
    rating_model: ActiveModel | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.active_model import ActiveModel # noqa: PLC0415
        from ..models.cache_health import CacheHealth # noqa: PLC0415
        from ..models.database import Database # noqa: PLC0415
        from ..models.text_encoder import TextEncoder # noqa: PLC0415
        cache = self.cache.to_dict()

        catalog_items = self.catalog_items

        database = self.database.to_dict()

        service = self.service

        status = self.status

        text_encoder = self.text_encoder.to_dict()

        training = self.training

        uptime_seconds = self.uptime_seconds

        version = self.version

        active_model: dict[str, Any] | None | Unset
        if isinstance(self.active_model, Unset):
            active_model = UNSET
        elif isinstance(self.active_model, ActiveModel):
            active_model = self.active_model.to_dict()
        else:
            active_model = self.active_model

        rating_model: dict[str, Any] | None | Unset
        if isinstance(self.rating_model, Unset):
            rating_model = UNSET
        elif isinstance(self.rating_model, ActiveModel):
            rating_model = self.rating_model.to_dict()
        else:
            rating_model = self.rating_model


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "cache": cache,
            "catalog_items": catalog_items,
            "database": database,
            "service": service,
            "status": status,
            "text_encoder": text_encoder,
            "training": training,
            "uptime_seconds": uptime_seconds,
            "version": version,
        })
        if active_model is not UNSET:
            field_dict["active_model"] = active_model
        if rating_model is not UNSET:
            field_dict["rating_model"] = rating_model

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.active_model import ActiveModel # noqa: PLC0415
        from ..models.cache_health import CacheHealth # noqa: PLC0415
        from ..models.database import Database # noqa: PLC0415
        from ..models.text_encoder import TextEncoder # noqa: PLC0415
        d = dict(src_dict)
        cache = CacheHealth.from_dict(d.pop("cache"))




        catalog_items = d.pop("catalog_items")

        database = Database.from_dict(d.pop("database"))




        service = d.pop("service")

        status = d.pop("status")

        text_encoder = TextEncoder.from_dict(d.pop("text_encoder"))




        training = d.pop("training")

        uptime_seconds = d.pop("uptime_seconds")

        version = d.pop("version")

        def _parse_active_model(data: object) -> ActiveModel | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                active_model_type_0 = ActiveModel.from_dict(data)



                return active_model_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ActiveModel | None | Unset, data)

        active_model = _parse_active_model(d.pop("active_model", UNSET))


        def _parse_rating_model(data: object) -> ActiveModel | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                rating_model_type_0 = ActiveModel.from_dict(data)



                return rating_model_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ActiveModel | None | Unset, data)

        rating_model = _parse_rating_model(d.pop("rating_model", UNSET))


        health = cls(
            cache=cache,
            catalog_items=catalog_items,
            database=database,
            service=service,
            status=status,
            text_encoder=text_encoder,
            training=training,
            uptime_seconds=uptime_seconds,
            version=version,
            active_model=active_model,
            rating_model=rating_model,
        )


        health.additional_properties = d
        return health

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
