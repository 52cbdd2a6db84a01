"""Routing lessons reach every process once: a lesson stored by another process is
learned from the table; one taught here is not learned a second time from its row,
whichever of the two comes first."""

from __future__ import annotations

from complaints.lessons import SharedRouter
from complaints.models import RoutingExample
from infra.db import utcnow

TEXT = "小区门口的共享单车乱停乱放"


async def _store(services, text: str = TEXT, department: str = "jiaotong") -> None:
    async with services.sessions() as session:
        session.add(
            RoutingExample(text=text, department=department, kind="complaint", created_at=utcnow())
        )
        await session.commit()


async def _catch_up(services) -> int:
    async with services.sessions() as session:
        return await services.router.catch_up(session)


async def test_lessons_from_other_processes_are_learned_once(services) -> None:
    router = services.router
    assert isinstance(router, SharedRouter)
    assert router.route(TEXT).department != "jiaotong"
    before = router.example_count
    await _store(services)  # another process's transfer
    await _store(services, TEXT + "，天天如此")  # and a second one that agrees
    assert await _catch_up(services) == 2
    assert router.example_count == before + 2
    assert router.route(TEXT + "，没人管").department == "jiaotong"
    assert await _catch_up(services) == 0
    assert router.example_count == before + 2


async def test_a_lesson_taught_here_is_not_learned_again(services) -> None:
    router = services.router
    before = router.example_count
    # the desk's order: commit the row, then teach the router
    await _store(services)
    router.learn(TEXT, "jiaotong", "complaint")
    assert await _catch_up(services) == 0
    assert router.example_count == before + 1
    # the change loop may read the row between the commit and the desk's learn()
    await _store(services, TEXT + "，天天如此")
    assert await _catch_up(services) == 1
    router.learn(TEXT + "，天天如此", "jiaotong", "complaint")
    assert router.example_count == before + 2
