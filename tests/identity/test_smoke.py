from lienthong.identity.v1 import identity_pb2 as pb


async def test_issue_and_introspect(identity):
    created = await identity.new_agency()
    token = await identity.token(created.initial_client.client_id, created.initial_client_secret)
    found = await identity.stub.IntrospectToken(
        pb.IntrospectTokenRequest(token=token), metadata=await identity.admin()
    )
    assert found.active
