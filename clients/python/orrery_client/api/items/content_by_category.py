from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.content_public import ContentPublic
from ...models.problem import Problem
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    category_path: str,
    *,
    page: int | Unset = UNSET,
    size: int | Unset = UNSET,
    category_query: str | Unset = UNSET,
    genre: str | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    params["page"] = page

    params["size"] = size

    params["category"] = category_query

    params["genre"] = genre


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/content/category/{category_path}".format(category_path=quote(str(category_path), safe=""),),
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | list[ContentPublic] | None:
    if response.status_code == 200:
        response_200 = []
        _response_200 = response.json()
        for response_200_item_data in (_response_200):
            response_200_item = ContentPublic.from_dict(response_200_item_data)



            response_200.append(response_200_item)

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())



        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())



        return response_401

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())



        return response_404

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())



        return response_422

    if response.status_code == 500:
        response_500 = Problem.from_dict(response.json())



        return response_500

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Problem | list[ContentPublic]]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    category_path: str,
    *,
    client: AuthenticatedClient | Client,
    page: int | Unset = UNSET,
    size: int | Unset = UNSET,
    category_query: str | Unset = UNSET,
    genre: str | Unset = UNSET,

) -> Response[Problem | list[ContentPublic]]:
    """ The items of one category, as a list.

    Args:
        category_path (str):
        page (int | Unset):
        size (int | Unset):
        category_query (str | Unset):
        genre (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | list[ContentPublic]]
     """


    kwargs = _get_kwargs(
        category_path=category_path,
page=page,
size=size,
category_query=category_query,
genre=genre,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    category_path: str,
    *,
    client: AuthenticatedClient | Client,
    page: int | Unset = UNSET,
    size: int | Unset = UNSET,
    category_query: str | Unset = UNSET,
    genre: str | Unset = UNSET,

) -> Problem | list[ContentPublic] | None:
    """ The items of one category, as a list.

    Args:
        category_path (str):
        page (int | Unset):
        size (int | Unset):
        category_query (str | Unset):
        genre (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | list[ContentPublic]
     """


    return sync_detailed(
        category_path=category_path,
client=client,
page=page,
size=size,
category_query=category_query,
genre=genre,

    ).parsed

async def asyncio_detailed(
    category_path: str,
    *,
    client: AuthenticatedClient | Client,
    page: int | Unset = UNSET,
    size: int | Unset = UNSET,
    category_query: str | Unset = UNSET,
    genre: str | Unset = UNSET,

) -> Response[Problem | list[ContentPublic]]:
    """ The items of one category, as a list.

    Args:
        category_path (str):
        page (int | Unset):
        size (int | Unset):
        category_query (str | Unset):
        genre (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | list[ContentPublic]]
     """


    kwargs = _get_kwargs(
        category_path=category_path,
page=page,
size=size,
category_query=category_query,
genre=genre,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    category_path: str,
    *,
    client: AuthenticatedClient | Client,
    page: int | Unset = UNSET,
    size: int | Unset = UNSET,
    category_query: str | Unset = UNSET,
    genre: str | Unset = UNSET,

) -> Problem | list[ContentPublic] | None:
    """ The items of one category, as a list.

    Args:
        category_path (str):
        page (int | Unset):
        size (int | Unset):
        category_query (str | Unset):
        genre (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | list[ContentPublic]
     """


    return (await asyncio_detailed(
        category_path=category_path,
client=client,
page=page,
size=size,
category_query=category_query,
genre=genre,

    )).parsed
