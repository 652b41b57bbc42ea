"""Realistic test data in one line: an organisation with two services and a user for each role."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import Flask
from sqlalchemy.orm import Session

from careobs.accounts import service as accounts
from careobs.accounts.models import User
from careobs.org.models import Area, Organisation, Person, Service, StaffMember


@dataclass
class OrgData:
    """What :meth:`DataBuilder.organisation` made, by role."""

    org: Organisation
    care_home: Service
    homecare: Service
    admin: User
    manager: User  # manager of the care home only
    supervisor: User  # supervisor in both services
    staff: User  # care worker in the care home
    outsider: User  # belongs to the organisation but to no service
    people: dict[str, Person] = field(default_factory=dict)
    staff_members: dict[str, StaffMember] = field(default_factory=dict)
    areas: dict[str, Area] = field(default_factory=dict)


class DataBuilder:
    """Creates records through the app's own service functions, inside an app context."""

    def __init__(self, app: Flask, session: Session, password: str):
        self.app = app
        self.session = session
        self.password = password

    def user(self, org: Organisation, email: str, name: str, *, admin=False, roles=None) -> User:
        with self.app.app_context():
            return self._user(org, email, name, admin=admin, roles=roles)

    def _user(self, org, email, name, *, admin=False, roles=None) -> User:
        user = accounts.create_user(
            self.session,
            organisation_id=org.id,
            email=email,
            display_name=name,
            is_org_admin=admin,
        )
        accounts.set_password(self.session, user, self.password)
        if roles:
            accounts.set_memberships(self.session, user, {s.id: r for s, r in roles.items()})
        self.session.flush()
        return user

    def organisation(self, name: str = "Acme Care", prefix: str = "acme") -> OrgData:
        with self.app.app_context():
            return self._organisation(name, prefix)

    def _organisation(self, name: str, prefix: str) -> OrgData:
        s = self.session
        org = Organisation(name=name)
        s.add(org)
        s.flush()
        home = Service(organisation_id=org.id, name=f"{name} House", kind="care_home")
        homecare = Service(organisation_id=org.id, name=f"{name} Homecare", kind="homecare")
        s.add_all([home, homecare])
        s.flush()
        data = OrgData(
            org=org,
            care_home=home,
            homecare=homecare,
            admin=self._user(org, f"admin@{prefix}.test", "Ada Admin", admin=True),
            manager=self._user(
                org, f"manager@{prefix}.test", "Mo Manager", roles={home: "manager"}
            ),
            supervisor=self._user(
                org,
                f"supervisor@{prefix}.test",
                "Sue Supervisor",
                roles={home: "supervisor", homecare: "supervisor"},
            ),
            staff=self._user(org, f"staff@{prefix}.test", "Stan Staff", roles={home: "staff"}),
            outsider=self._user(org, f"outsider@{prefix}.test", "Olu Outsider"),
        )
        for area_name in ("Lounge", "Dining room"):
            area = Area(organisation_id=org.id, service_id=home.id, name=area_name)
            s.add(area)
            data.areas[area_name] = area
        for code, svc in (("R01", home), ("R02", home), ("H01", homecare), ("H02", homecare)):
            person = Person(organisation_id=org.id, service_id=svc.id, code=code)
            s.add(person)
            data.people[code] = person
        for staff_name, svc in (("Carla Carer", home), ("Hal Homecare", homecare)):
            member = StaffMember(
                organisation_id=org.id,
                service_id=svc.id,
                name=staff_name,
                job_role="Care worker",
                start_date=date(2025, 1, 6),
            )
            s.add(member)
            data.staff_members[staff_name] = member
        s.commit()
        return data
