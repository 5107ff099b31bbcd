"""The sandbox's starting world: a bound group per department with one staff member in each,
and two enterprises that have not written yet."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import DepartmentConfig
from bot.devtools.emulator.records import User
from bot.devtools.playground import Scene
from bot.devtools.sandbox.settling import settle_fully

#: People in the department groups; the first ones match the demo's story.
PREFERRED_STAFF = {"bizenv": "陈科长", "planning": "刘科员", "econ": "张科员"}
STAFF_NAMES = (
    "李主任", "赵科员", "孙科长", "吴干事", "郑科员", "冯科长", "何干事", "许科员",
    "韩科长", "曹干事", "邓科员", "彭科长", "萧干事", "蒋科员", "沈科长", "杨干事",
)  # fmt: skip
GROUP_SUFFIX = {"dispatcher": "督办群", "leadership": "通报群"}
DEFAULT_GROUP_SUFFIX = "工单群"
SEED_SECONDS = 60.0

#: (name, company, username) of the enterprises the sandbox starts with.
ENTERPRISES = (
    ("林晓梅", "厦门海沧精密机械有限公司", "lin_xiaomei"),
    ("周女士", "禾木文创工作室", None),
)


@dataclass(frozen=True)
class Enterprise:
    user: User
    company: str
    phone: str


@dataclass(frozen=True)
class StaffGroup:
    department: DepartmentConfig
    chat_id: int
    title: str
    staff: User


def staff_names(departments: list[DepartmentConfig]) -> dict[str, str]:
    """One distinct name per department code (numbered once the list runs out)."""
    taken = {PREFERRED_STAFF[d.code] for d in departments if d.code in PREFERRED_STAFF}
    spare = [name for name in STAFF_NAMES if name not in taken]
    names: dict[str, str] = {}
    for department in departments:
        if department.code in PREFERRED_STAFF:
            names[department.code] = PREFERRED_STAFF[department.code]
        elif spare:
            names[department.code] = spare.pop(0)
        else:
            names[department.code] = f"科员{len(names) + 1}"
    return names


def phone_for(index: int) -> str:
    """A made-up mobile number, distinct per enterprise person."""
    return f"+86138{index:08d}"


def new_enterprise(
    scene: Scene, name: str, company: str, index: int, *, username: str | None = None
) -> Enterprise:
    user = scene.emulator.add_user(name, username=username)
    return Enterprise(user=user, company=company, phone=phone_for(index))


async def seed_groups(scene: Scene) -> list[StaffGroup]:
    """Each configured department gets a supergroup bound by the admin with /bind.

    All the /bind commands go out at once and the desk settles once: binding is per chat.
    """
    departments = scene.desk.settings.departments
    names = staff_names(departments)
    groups: list[StaffGroup] = []
    for department in departments:
        staff = scene.emulator.add_user(names[department.code])
        suffix = GROUP_SUFFIX.get(department.role, DEFAULT_GROUP_SUFFIX)
        title = f"{department.name} {suffix}"
        chat = scene.emulator.add_group(title, members=[scene.admin, staff], supergroup=True)
        scene.emulator.user_sends_text(scene.admin, chat.id, f"/bind {department.code}")
        scene.groups[department.code] = chat
        groups.append(StaffGroup(department, chat.id, title, staff))
    await settle_fully(scene, SEED_SECONDS)
    return groups


def seed_enterprises(scene: Scene) -> list[Enterprise]:
    return [
        new_enterprise(scene, name, company, index, username=username)
        for index, (name, company, username) in enumerate(ENTERPRISES, start=1)
    ]
