from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.method import Method
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.because import Because





T = TypeVar("T", bound="RecommendedItem")



@_attrs_define
class RecommendedItem:
    """ One recommended item. `content_id`, `movie_id` and `item_id` are the same id, so each
    client finds the name it knows.

        Attributes:
            content_id (str): The item (its name under `/content`).
            explanation (str): Why this item, in one sentence.
            genres (list[str]): Every category value (genres for movies).
            item_id (str): The item.
            method (Method): How a list was made.
            movie_id (str): The item (its name under `/movies` and `/api/ml`).
            popularity (float): Popularity in [0, 1].
            score (float): The score, higher is better.
            title (str): Title.
            because (Because | None | Unset):
            boost (float | None | Unset): The product of the boosts of the request's rules that matched the item (absent
                when none did).
            category (None | str | Unset): The first category.
            collaborative_score (float | None | Unset): Normalized collaborative score, when a model scored the item.
            content_score (float | None | Unset): Normalized content score (text embeddings, or categories and tags while
                items are
                being embedded), when there is a profile.
            matched (list[str] | Unset): Categories and tags of the item that the user likes.
            sources (list[str] | Unset): Which of the recommendation flow's sources proposed the item: `model` (the active
                model's best items), `neighbours` (items near what the user liked last),
                `content` (closest to the user's content profile), `popular`, `pinned` (by the
                list's rules), `exploration` (the exploration slot's new item).
     """

    content_id: str
    explanation: str
    genres: list[str]
    item_id: str
    method: Method
    movie_id: str
    popularity: float
    score: float
    title: str
    because: Because | None | Unset = UNSET
    boost: float | None | Unset = UNSET
    category: None | str | Unset = UNSET
    collaborative_score: float | None | Unset = UNSET
    content_score: float | None | Unset = UNSET
    matched: list[str] | Unset = UNSET
    sources: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.because import Because # noqa: PLC0415
        content_id = self.content_id

        explanation = self.explanation

        genres = self.genres



        item_id = self.item_id

        method = self.method.value

        movie_id = self.movie_id

        popularity = self.popularity

        score = self.score

        title = self.title

        because: dict[str, Any] | None | Unset
        if isinstance(self.because, Unset):
            because = UNSET
        elif isinstance(self.because, Because):
            because = self.because.to_dict()
        else:
            because = self.because

        boost: float | None | Unset
        if isinstance(self.boost, Unset):
            boost = UNSET
        else:
            boost = self.boost

        category: None | str | Unset
        if isinstance(self.category, Unset):
            category = UNSET
        else:
            category = self.category

        collaborative_score: float | None | Unset
        if isinstance(self.collaborative_score, Unset):
            collaborative_score = UNSET
        else:
            collaborative_score = self.collaborative_score

        content_score: float | None | Unset
        if isinstance(self.content_score, Unset):
            content_score = UNSET
        else:
            content_score = self.content_score

        matched: list[str] | Unset = UNSET
        if not isinstance(self.matched, Unset):
            matched = self.matched



        sources: list[str] | Unset = UNSET
        if not isinstance(self.sources, Unset):
            sources = self.sources




        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "content_id": content_id,
            "explanation": explanation,
            "genres": genres,
            "item_id": item_id,
            "method": method,
            "movie_id": movie_id,
            "popularity": popularity,
            "score": score,
            "title": title,
        })
        if because is not UNSET:
            field_dict["because"] = because
        if boost is not UNSET:
            field_dict["boost"] = boost
        if category is not UNSET:
            field_dict["category"] = category
        if collaborative_score is not UNSET:
            field_dict["collaborative_score"] = collaborative_score
        if content_score is not UNSET:
            field_dict["content_score"] = content_score
        if matched is not UNSET:
            field_dict["matched"] = matched
        if sources is not UNSET:
            field_dict["sources"] = sources

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.because import Because # noqa: PLC0415
        d = dict(src_dict)
        content_id = d.pop("content_id")

        explanation = d.pop("explanation")

        genres = cast(list[str], d.pop("genres"))


        item_id = d.pop("item_id")

        method = Method(d.pop("method"))




        movie_id = d.pop("movie_id")

        popularity = d.pop("popularity")

        score = d.pop("score")

        title = d.pop("title")

        def _parse_because(data: object) -> Because | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                because_type_0 = Because.from_dict(data)



                return because_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Because | None | Unset, data)

        because = _parse_because(d.pop("because", UNSET))


        def _parse_boost(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        boost = _parse_boost(d.pop("boost", UNSET))


        def _parse_category(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        category = _parse_category(d.pop("category", UNSET))


        def _parse_collaborative_score(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        collaborative_score = _parse_collaborative_score(d.pop("collaborative_score", UNSET))


        def _parse_content_score(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        content_score = _parse_content_score(d.pop("content_score", UNSET))


        matched = cast(list[str], d.pop("matched", UNSET))


        sources = cast(list[str], d.pop("sources", UNSET))


        recommended_item = cls(
            content_id=content_id,
            explanation=explanation,
            genres=genres,
            item_id=item_id,
            method=method,
            movie_id=movie_id,
            popularity=popularity,
            score=score,
            title=title,
            because=because,
            boost=boost,
            category=category,
            collaborative_score=collaborative_score,
            content_score=content_score,
            matched=matched,
            sources=sources,
        )


        recommended_item.additional_properties = d
        return recommended_item

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
