"""Routes come from the contract: every method of the four services, its block, rule, shape and method class."""

from lienthong_gateway.config import Budget
from lienthong_gateway.ratelimit import LocalBuckets, lease_size
from lienthong_gateway.routing import block_of, contract_routes
from lienthong_runtime.contract import contract_methods


def test_every_contract_method_has_a_route_with_its_rule():
    routes = contract_routes()
    assert set(routes) == set(contract_methods())
    assert {route.block for route in routes.values()} == {
        "identity",
        "registry",
        "payment",
        "notify",
        "documents",
        "dossiers",
    }
    assert all(route.rule is not None for route in routes.values())  # the contract test guarantees options


def test_blocks_and_method_classes():
    routes = contract_routes()
    assert block_of("lienthong.payment.v1.PaymentService") == "payment"
    assert block_of("lienthong.common.v1.Anything") is None and block_of("grpc.health.v1.Health") is None
    assert routes["/lienthong.registry.v1.RegistryService/GetCitizen"].method_class == "read"
    assert routes["/lienthong.registry.v1.RegistryService/SearchCitizens"].method_class == "read"
    assert routes["/lienthong.payment.v1.PaymentService/CreatePayment"].method_class == "write"
    assert routes["/lienthong.identity.v1.IdentityService/IssueToken"].method_class == "write"
    assert routes["/lienthong.identity.v1.IdentityService/GetJwks"].rule.public


def test_local_bucket_refuses_with_a_wait_and_leases_stay_small():
    buckets = LocalBuckets(replicas=1)
    budget = Budget(rate=10, burst=2)
    assert buckets.grant([("k", budget, 1)])[0] == 0
    assert buckets.grant([("k", budget, 1)])[0] == 0
    refused, wait, granted = buckets.grant([("k", budget, 1)])
    assert refused == 1 and granted == [0] and 0 < wait <= 0.1
    assert lease_size(Budget(rate=0.01, burst=5)) == 1
    assert lease_size(Budget(rate=1e6, burst=1e6)) == 50


async def test_a_misspelt_block_in_the_upstreams_is_refused_at_start():
    import pytest

    from lienthong_gateway.bootstrap import build_gateway, load_settings

    with pytest.raises(ValueError, match="registy"):
        await build_gateway(
            load_settings(upstreams={"registy": ["127.0.0.1:1"]}, redis_url="", audit_path="")
        )
