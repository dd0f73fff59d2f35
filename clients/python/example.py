"""Orrery from Python with the generated client: create an account, sign in, send
interactions, and get recommendations with their explanations.

    python example.py BASE_URL ITEM_ID [ITEM_ID ...]

BASE_URL is a running server (e.g. the one `orrery demo` starts); the items are ids of
its catalog, which the new user likes.
"""

import sys
import uuid

from orrery_client import AuthenticatedClient, Client
from orrery_client.api.auth import token
from orrery_client.api.interactions import post_interactions
from orrery_client.api.recommendations import recommend_get
from orrery_client.api.users import create_user
from orrery_client.models import InteractionIn, TokenForm, UserBody


def main(base_url: str, liked: list[str]) -> None:
    email = f"reader-{uuid.uuid4().hex[:8]}@example.com"
    password = "a long enough passphrase"
    with Client(base_url=base_url, raise_on_unexpected_status=True) as client:
        user = create_user.sync(client=client, body=UserBody(email=email, password=password))
        signed_in = token.sync(client=client, body=TokenForm(username=email, password=password))
    print(f"created user {user.user_id}")

    with AuthenticatedClient(
        base_url=base_url, token=signed_in.access_token, raise_on_unexpected_status=True
    ) as client:
        likes = [InteractionIn(user_id=user.user_id, item_id=item, kind="like") for item in liked]
        stored = post_interactions.sync(client=client, body=likes)
        print(f"stored {stored.stored} likes")
        recs = recommend_get.sync(user.user_id, client=client, n=5)
        for rank, item in enumerate(recs.recommendations, start=1):
            print(f"{rank}. {item.title} ({item.item_id}): {item.explanation}")

    listed = [item.item_id for item in recs.recommendations]
    assert len(listed) == 5, listed
    assert not set(listed) & set(liked), "a liked item was recommended again"


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:])
