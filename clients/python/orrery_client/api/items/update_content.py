from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.content_public import ContentPublic
from ...models.item_body import ItemBody
from ...models.problem import Problem
from typing import cast



def _get_kwargs(
    content_id: str,
    *,
    body: ItemBody,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/content/{content_id}".format(content_id=quote(str(content_id), safe=""),),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ContentPublic | Problem | None:
    if response.status_code == 200:
        response_200 = ContentPublic.from_dict(response.json())



        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())



        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())



        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())



        return response_403

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())



        return response_404

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())



        return response_409

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())



        return response_413

    if response.status_code == 415:
        response_415 = Problem.from_dict(response.json())



        return response_415

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ContentPublic | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    content_id: str,
    *,
    client: AuthenticatedClient,
    body: ItemBody,

) -> Response[ContentPublic | Problem]:
    """ Change content.

    Args:
        content_id (str):
        body (ItemBody): An item to create, or the fields to change. `item_id`, `content_id` and
            `movie_id` all
            name the item.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ContentPublic | Problem]
     """


    kwargs = _get_kwargs(
        content_id=content_id,
body=body,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    content_id: str,
    *,
    client: AuthenticatedClient,
    body: ItemBody,

) -> ContentPublic | Problem | None:
    """ Change content.

    Args:
        content_id (str):
        body (ItemBody): An item to create, or the fields to change. `item_id`, `content_id` and
            `movie_id` all
            name the item.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ContentPublic | Problem
     """


    return sync_detailed(
        content_id=content_id,
client=client,
body=body,

    ).parsed

async def asyncio_detailed(
    content_id: str,
    *,
    client: AuthenticatedClient,
    body: ItemBody,

) -> Response[ContentPublic | Problem]:
    """ Change content.

    Args:
        content_id (str):
        body (ItemBody): An item to create, or the fields to change. `item_id`, `content_id` and
            `movie_id` all
            name the item.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ContentPublic | Problem]
     """


    kwargs = _get_kwargs(
        content_id=content_id,
body=body,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    content_id: str,
    *,
    client: AuthenticatedClient,
    body: ItemBody,

) -> ContentPublic | Problem | None:
    """ Change content.

    Args:
        content_id (str):
        body (ItemBody): An item to create, or the fields to change. `item_id`, `content_id` and
            `movie_id` all
            name the item.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ContentPublic | Problem
     """


    return (await asyncio_detailed(
        content_id=content_id,
client=client,
body=body,

    )).parsed
