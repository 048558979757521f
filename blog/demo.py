"""Demo content of the public site, loaded by `manage.py load_demo_content`.

Idempotent: whatever exists already (found by slug, title or name) is left exactly as it is, so a
second run creates nothing and changes nothing, and staff edits made after the first run survive.
"""

from __future__ import annotations

import datetime
import io
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.images import ImageFile
from django.utils import timezone
from wagtail.models import Page, Site

from blog.demo_art import Artwork, draw_artwork, draw_monogram
from blog.models import (
    Author,
    BlogIndexPage,
    BlogPostPage,
    Category,
    HomePage,
    HomePageFeaturedPost,
    SiteImage,
    SocialMediaSettings,
    StandardPage,
)
from portal.models import User
from portal.services import staff_email_verify

STAFF_EMAIL = "admin@example.org"


# --- Rich text and block helpers -------------------------------------------------------------


def paragraphs(*texts: str) -> dict:
    return {"type": "paragraph", "value": "".join(f"<p>{text}</p>" for text in texts)}


def bullets(intro: str, items: list[str]) -> dict:
    listing = "".join(f"<li>{item}</li>" for item in items)
    return {"type": "paragraph", "value": f"<p>{intro}</p><ul>{listing}</ul>"}


def heading(text: str, level: str = "h2") -> dict:
    return {"type": "heading", "value": {"text": text, "level": level}}


def quote(text: str, attribution: str = "") -> dict:
    return {"type": "quote", "value": {"quote": text, "attribution": attribution}}


def statistic(figure: str, label: str, source: str = "") -> dict:
    return {"type": "statistic", "value": {"figure": figure, "label": label, "source": source}}


def picture(image: SiteImage, caption: str = "") -> dict:
    return {"type": "image", "value": {"image": image.pk, "alt_text": "", "caption": caption}}


def button(text: str, *, page: Page | None = None, url: str = "") -> dict:
    return {
        "type": "call_to_action",
        "value": {"text": text, "page": page.pk if page else None, "url": url},
    }


def page_link(page: Page, text: str) -> str:
    return f'<a linktype="page" id="{page.pk}">{text}</a>'


# --- What the demo contains -------------------------------------------------------------------

IMAGES: dict[str, tuple[str, str, Artwork]] = {
    "world-day": (
        "World Day against sexual exploitation",
        "Abstract illustration: soft teal and amber circles overlapping on a deep navy background.",
        Artwork("circles", "dusk", 4),
    ),
    "award": (
        "Financial Crime Fighter of the Year",
        "Abstract illustration: a network of navy and teal dots joined by fine lines on a warm "
        "amber background.",
        Artwork("network", "amber", 8),
    ),
    "year-of-change": (
        "A year of change",
        "Abstract illustration: layered waves in teal, navy and amber rising across a pale sky.",
        Artwork("waves", "morning", 12),
    ),
    "child-protection-fund": (
        "Child Protection Fund",
        "Abstract illustration: a grid of teal, navy and amber squares and circles on a pale "
        "background.",
        Artwork("blocks", "morning", 21),
    ),
    "sextortion": (
        "Financial signals of sextortion",
        "Abstract illustration: interlinked dots and lines in navy and white on a teal background.",
        Artwork("network", "sea", 33),
    ),
    "shared-language": (
        "A shared language",
        "Abstract illustration: overlapping translucent circles in teal and sky blue on navy.",
        Artwork("circles", "sea", 41),
    ),
    "roundtable": (
        "Data-sharing roundtable",
        "Abstract illustration: rows of navy and teal tiles on an amber background.",
        Artwork("blocks", "amber", 57),
    ),
    "safer-internet": (
        "Safer Internet Day",
        "Abstract illustration: gentle amber and teal waves over a deep navy background.",
        Artwork("waves", "dusk", 63),
    ),
    "home-hero": (
        "Working together",
        "Abstract illustration: teal and amber points joined into a network over deep navy.",
        Artwork("network", "dusk", 2),
    ),
    "data-collaboration": (
        "Data collaboration",
        "Abstract illustration: teal and navy tiles arranged in a loose grid on a pale background.",
        Artwork("blocks", "morning", 77),
    ),
}

CATEGORIES = [
    ("Awareness", "awareness", "Days of action, campaigns and what everyone can do."),
    (
        "Research and insights",
        "research-and-insights",
        "What the evidence says about child sexual exploitation and how to detect it.",
    ),
    (
        "Child Protection Fund",
        "child-protection-fund",
        "Grants for data and technology projects that prevent and disrupt exploitation.",
    ),
    ("Our organisation", "our-organisation", "News about ICMEC Australia and its people."),
    ("Events", "events", "Roundtables, training and briefings for our partners and members."),
]


@dataclass
class PostSpec:
    slug: str
    title: str
    date: datetime.date
    summary: str
    image: str
    categories: list[str]
    tags: list[str]
    body: Callable[[dict[str, Any]], list[dict]]
    members_only: bool = False
    search_description: str = ""


def _world_day_body(ctx: dict[str, Any]) -> list[dict]:
    return [
        paragraphs(
            "Saturday 4 March is the World Day of the Fight Against Sexual Exploitation. The day "
            "has been marked since 2009 to draw attention to how widespread sexual exploitation "
            "is and to the lasting harm it does. Most of the people it hurts are women and "
            "children.",
            "Child sexual exploitation, and above all the exploitation that happens online, is "
            "growing fast. For a long time it was a subject people preferred to avoid because it "
            "is so hard to think about, and that silence has let it ruin thousands of young lives "
            "every year. Progress starts with naming the problem and being honest about its "
            "scale.",
        ),
        heading("Many methods, one outcome"),
        paragraphs(
            "Offenders exploit children online in many ways: grooming them, streaming abuse "
            "live, trading child sexual abuse material (CSAM) and coercing children into sending "
            "images and then demanding money, a crime known as sextortion. Whatever the method, "
            "a child is left traumatised.",
            "The internet did not create this abuse, but it has multiplied it. New platforms and "
            "technologies appear constantly, and offenders change their tactics to stay ahead of "
            "detection. Many of these crimes leave a financial trail that can help identify both "
            "offenders and victims, yet images of abuse often keep circulating for years, and "
            "every new view reopens the wound for the survivor.",
        ),
        statistic(
            "85 million",
            "files of suspected child sexual abuse were reported to the US National Center for "
            "Missing & Exploited Children in 2021, against about 100,000 reports in all of 2008.",
            "National Center for Missing & Exploited Children (NCMEC)",
        ),
        paragraphs(
            "Online sexual exploitation of children crosses every border and spares no "
            "community. A child's family, income, schooling or background offers no protection, "
            "although children in poorer households and poorer countries face the greatest risk."
        ),
        picture(
            ctx["images"]["data-collaboration"],
            "Partnerships and shared data are at the heart of a networked response.",
        ),
        heading("Our part in the response"),
        paragraphs(
            "We believe every child should be able to grow up free from sexual abuse and "
            "exploitation. We support the organisations that make up the child sexual "
            "exploitation response ecosystem so that more offences are detected, reported and "
            "prosecuted. We do this by building strong partnerships and by helping partners "
            "set up innovative projects that share and combine data.",
            "Our partners include financial-crime teams, police and other law enforcement "
            "officers, regulators and the organisations that hold relevant data. Each of them "
            "sees part of the picture; together they can identify offenders and find children "
            "who need help.",
        ),
        heading("Signs of progress in 2023"),
        paragraphs(
            "The year has already brought real steps towards a safer internet for children. "
            "Regulators around the world are taking a firmer line, with Australia's eSafety "
            "Commissioner showing others what a strong regulatory approach can look like. "
            "Lawmakers are paying closer attention too: Australia's Online Safety Act 2021, the "
            "European Union's new Digital Services Act and the United Kingdom's proposed Online "
            "Safety Bill all put the protection of children online at the centre.",
            "Saving children from harm takes constant vigilance and cooperation across "
            "industries, and every child matters. In 2021 the Australian Federal Police helped "
            "remove 114 children from harm around the world, and 42 per cent of them were here "
            "in Australia.",
        ),
        quote(
            "The sexual exploitation of children is a networked crime of the 21st century. It "
            "needs a networked response.",
            "ICMEC Australia",
        ),
        paragraphs(
            "Offenders work in networks: they share content, information and techniques to "
            "avoid being caught, and as technology changes, tracking them gets harder. To keep "
            "up, the people working against child sexual exploitation need new ways to share "
            "information safely, so that detection, reporting and prosecution all improve."
        ),
        button("Join the Member Portal", url="/accounts/signup/"),
    ]


def _award_body(ctx: dict[str, Any]) -> list[dict]:
    return [
        paragraphs(
            "Everything we do at ICMEC Australia starts from one commitment: protecting children "
            "from abuse and exploitation. Because this crime is so serious, we are convinced "
            "that no single organisation can tackle it alone, and that the financial sector has "
            "a vital part to play.",
            "We are proud to share that our Chief Executive Officer, Anna Bowden, has been named "
            "Financial Crime Fighter of the Year. The award recognises her work to bring banks, "
            "payment providers, regulators and law enforcement together around a problem that "
            "many in the industry had never been asked to look at.",
        ),
        heading("Following the money to protect children"),
        paragraphs(
            "Much of the online sexual exploitation of children has a financial side. Offenders "
            "pay to watch abuse streamed live, buy and sell abuse material, and extort money from "
            "children they have coerced. Each of those payments leaves a record, and financial "
            "institutions that know what to look for can turn those records into intelligence "
            "that helps police identify offenders and reach victims.",
            "Anna has spent years making that case: in boardrooms, at industry events and in "
            "working groups with financial-crime specialists. She has helped teams understand "
            "the indicators, encouraged them to report what they find and championed the "
            "safe sharing of data between organisations that would otherwise work in isolation.",
        ),
        quote(
            "This recognition belongs to everyone who has chosen to look closely at a crime "
            "that is hard to look at, and to act on what they found.",
            "Anna Bowden, Chief Executive Officer",
        ),
        heading("What comes next"),
        paragraphs(
            "The award is a welcome sign that protecting children is becoming part of how the "
            "financial sector thinks about financial crime. There is much more to do. We will "
            "keep growing our network of partners, training the people who investigate "
            "suspicious activity and supporting projects that turn shared data into action.",
            f"If your organisation would like to be part of that work, "
            f"{page_link(ctx['pages']['contact'], 'get in touch with our team')}.",
        ),
    ]


def _year_of_change_body(ctx: dict[str, Any]) -> list[dict]:
    return [
        paragraphs(
            "The last weeks of the year are usually a blur of deadlines, yet they also invite "
            "us to pause and look back over twelve months of achievements and setbacks. As a "
            "small team with a large mission, we want to take that moment to thank the people "
            "and organisations who have worked alongside us.",
        ),
        heading("A year of growth"),
        bullets(
            "Looking back on 2023, a few things stand out:",
            [
                "more financial institutions joined our partner network and began training "
                "their teams to recognise the signs of child sexual exploitation;",
                "our data-collaboration projects moved from ideas on paper to working pilots "
                "with law enforcement and industry partners;",
                "we prepared the launch of our Member Portal, a secure place for vetted "
                "professionals to find and connect with one another;",
                "we reviewed our own organisation, so that our structure matches the work ahead "
                "of us.",
            ],
        ),
        heading("Change is hard, and necessary"),
        paragraphs(
            "Not every change this year was easy. Some projects took longer than we hoped, and "
            "the scale of the problem keeps growing as technology changes. But every "
            "conversation with a partner reminded us why this work matters, and how much more "
            "we can achieve together than apart.",
            "Next year we will build on these foundations: more partners, more shared data "
            "used safely and lawfully, and more opportunities for the people on the front line "
            "to learn from each other.",
        ),
        picture(
            ctx["images"]["home-hero"], "Our network keeps growing, one partnership at a time."
        ),
        paragraphs(
            "From all of us at ICMEC Australia: thank you, rest well over the holidays, and we "
            "look forward to working with you in the new year."
        ),
    ]


def _fund_body(ctx: dict[str, Any]) -> list[dict]:
    return [
        paragraphs(
            "Our Child Protection Fund supports projects that use data and technology to reduce "
            "and prevent the sexual exploitation of children. It backs practical work that "
            "would otherwise struggle to find funding, from getting access to the right data to "
            "building tools that investigators can use every day.",
        ),
        heading("What the Fund supports"),
        bullets(
            "We look for projects in areas such as:",
            [
                "<b>data acquisition</b>: bringing together data that helps identify offenders "
                "and victims, collected and shared lawfully and ethically;",
                "<b>technological solutions</b>: tools that help detect abuse material, spot "
                "suspicious financial activity or speed up investigations;",
                "<b>research</b>: studies that improve what the response ecosystem knows about "
                "how exploitation happens and how to disrupt it;",
                "<b>capability building</b>: training and resources for the professionals who "
                "detect, report and investigate these crimes.",
            ],
        ),
        statistic(
            "4 areas",
            "of work the Fund focuses on: data, technology, research and capability.",
        ),
        heading("Who can apply"),
        paragraphs(
            "Applications are open to not-for-profit organisations, research institutions, "
            "technology companies and public-sector teams working in Australia or with "
            "Australian partners. Projects should have a clear path to real-world use, respect "
            "privacy and the rights of survivors, and measure what they achieve.",
            "Every application is reviewed by a panel with expertise in child protection, "
            "technology and financial crime. We may ask applicants to join a conversation with "
            "the panel before a decision is made.",
        ),
        picture(ctx["images"]["child-protection-fund"]),
        heading("How to apply"),
        paragraphs(
            "Start with a short expression of interest that describes the problem you want to "
            "solve, the data or technology involved and the partners you will work with. If "
            "your idea fits the Fund, we will invite you to submit a full proposal.",
        ),
        button("Contact the Fund team", page=ctx["pages"]["contact"]),
    ]


def _sextortion_body(ctx: dict[str, Any]) -> list[dict]:
    return [
        paragraphs(
            "Sextortion is one of the fastest-growing forms of online child sexual "
            "exploitation. An offender, often posing as a young person, persuades a child to "
            "share an intimate image and then threatens to send it to family and friends unless "
            "the child pays. Many offenders are part of organised groups that target hundreds "
            "of children at once.",
            "Because the crime is financially motivated, payments are at its centre, and that "
            "gives banks and payment providers a real chance to spot it and help stop it.",
        ),
        heading("Signals that deserve a closer look"),
        bullets(
            "No single transaction proves sextortion, but patterns like these warrant review:",
            [
                "a young customer suddenly sending several small payments to a person they have "
                "not paid before, often late at night;",
                "payments to accounts, wallets or gift-card sellers linked to other reports of "
                "extortion;",
                "a rapid series of attempts after a payment is declined, sometimes from new "
                "accounts or cards;",
                "payment references or messages that hint at threats, secrecy or urgency.",
            ],
        ),
        quote(
            "Behind every one of these patterns there may be a frightened child who believes "
            "paying is the only way out.",
        ),
        heading("What institutions can do"),
        paragraphs(
            "Train frontline and financial-crime teams on the indicators, make it easy for "
            "staff to escalate concerns, and report suspicious matters to the regulator and "
            "to police promptly. Consider how your customer messages could reach a child in "
            "crisis with a simple message: you are not in trouble, stop paying, and get help.",
            "Children and parents can find support and report sextortion through the Australian "
            'Centre to Counter Child Exploitation at <a href="https://www.accce.gov.au/report">'
            "accce.gov.au/report</a>.",
        ),
    ]


def _shared_language_body(ctx: dict[str, Any]) -> list[dict]:
    return [
        paragraphs(
            "The words we use shape how seriously a crime is taken. For years, material that "
            "records the sexual abuse of children was described with terms borrowed from adult "
            "content, which wrongly suggest consent and downplay the harm.",
            "International terminology guidelines, agreed by child-protection organisations in "
            "2016, recommend terms such as <i>child sexual abuse material</i> and <i>child "
            "sexual exploitation</i>, which make clear that a child has been abused.",
        ),
        heading("Why a shared vocabulary matters"),
        paragraphs(
            "The response ecosystem brings together people from very different worlds: "
            "investigators, analysts in banks, regulators, researchers, engineers and support "
            "workers. When they describe the same behaviour in different ways, reports are "
            "harder to match, data is harder to combine and patterns are easier to miss.",
            "A shared vocabulary makes collaboration faster and data more useful, and it keeps "
            "the focus where it belongs: on the children who were harmed.",
        ),
        bullets(
            "A few terms we use, and encourage partners to use:",
            [
                "<b>child sexual abuse material (CSAM)</b>: images or videos that show the "
                "sexual abuse of a child;",
                "<b>online child sexual exploitation</b>: any sexual exploitation of a child "
                "that involves the internet or digital technology;",
                "<b>sextortion</b>: coercing a child, usually with a threat to share intimate "
                "images, into paying money or producing more images;",
                "<b>victim survivor</b>: a person who has experienced abuse, recognising both "
                "the harm done and their resilience.",
            ],
        ),
    ]


def _roundtable_body(ctx: dict[str, Any]) -> list[dict]:
    return [
        paragraphs(
            "This briefing is for members of the portal only. It summarises the discussion at "
            "our data-sharing roundtable, held under the Chatham House Rule with participants "
            "from banks, payment providers, law enforcement and regulators.",
        ),
        heading("What we heard"),
        bullets(
            "Participants agreed on three priorities:",
            [
                "common indicators and typologies, so that reports from different institutions "
                "can be compared and combined;",
                "clear guidance on what can be shared lawfully, and when, between private "
                "organisations and with law enforcement;",
                "faster feedback from investigators to reporters, so that institutions learn "
                "which reports made a difference.",
            ],
        ),
        heading("Next steps"),
        paragraphs(
            "We will circulate a draft set of indicators to members for comment, and convene a "
            "smaller working group on information-sharing guidance. Members who would like to "
            "take part can reply through the portal's messages.",
        ),
    ]


def _safer_internet_body(ctx: dict[str, Any]) -> list[dict]:
    return [
        paragraphs(
            "Safer Internet Day is a good reminder that the most effective protection for "
            "children online is often a trusted adult they can talk to. Here are five "
            "conversations worth having at home, whatever your child's age.",
        ),
        heading("1. Who do you talk to online?"),
        paragraphs(
            "Ask about the games, apps and people your child spends time with. Show interest "
            "rather than suspicion, so that talking about online life feels normal."
        ),
        heading("2. What would you do if someone made you uncomfortable?"),
        paragraphs(
            "Agree together on what to do: stop replying, take a screenshot, block and report, "
            "and tell you. Make clear they will not lose their devices for telling you."
        ),
        heading("3. Not everyone is who they say they are"),
        paragraphs(
            "Explain that people can pretend to be someone else online, including other "
            "children, and that a new friend who asks for secrets or pictures is a warning "
            "sign."
        ),
        heading("4. If something goes wrong, it is never your fault"),
        paragraphs(
            "Children who are threatened after sharing an image often feel too ashamed to ask "
            "for help. Tell them now that you will help, not blame, and that offenders count on "
            "their silence."
        ),
        heading("5. Where can we get help?"),
        paragraphs(
            'Report online child sexual exploitation to the <a href="https://www.accce.gov.au/'
            'report">Australian Centre to Counter Child Exploitation</a>, and serious online '
            'harm to the <a href="https://www.esafety.gov.au/report">eSafety Commissioner</a>. '
            "Children and young people can talk to Kids Helpline on 1800 55 1800 at any time. "
            "If a child is in immediate danger, call 000."
        ),
    ]


POSTS = [
    PostSpec(
        slug="world-day-of-the-fight-against-sexual-exploitation",
        title="World Day of the Fight Against Sexual Exploitation",
        date=datetime.date(2023, 2, 28),
        summary=(
            "On 4 March the world marks a day against sexual exploitation. Online child sexual "
            "exploitation is growing fast, and only a networked response can match a networked "
            "crime."
        ),
        image="world-day",
        categories=["awareness", "research-and-insights"],
        tags=["world day", "sextortion", "regulation", "data collaboration"],
        body=_world_day_body,
    ),
    PostSpec(
        slug="ceo-anna-bowden-financial-crime-fighter-of-the-year",
        title="ICMEC Australia's CEO, Anna Bowden, recognised as Financial Crime Fighter of the "
        "Year",
        date=datetime.date(2023, 12, 8),
        summary=(
            "Our Chief Executive Officer has been named Financial Crime Fighter of the Year for "
            "her work bringing the financial sector into the fight against child sexual "
            "exploitation."
        ),
        image="award",
        categories=["our-organisation"],
        tags=["financial crime", "awards", "leadership"],
        body=_award_body,
    ),
    PostSpec(
        slug="embracing-a-year-of-change-together",
        title="Embracing a Year of Change Together",
        date=datetime.date(2023, 12, 18),
        summary=(
            "As 2023 draws to a close, we look back on a year of growth and change, and thank "
            "the partners who made it possible."
        ),
        image="year-of-change",
        categories=["our-organisation"],
        tags=["year in review", "partnerships"],
        body=_year_of_change_body,
    ),
    PostSpec(
        slug="child-protection-fund-data-driven-initiatives",
        title="Supporting innovative data-driven initiatives through our Child Protection Fund",
        date=datetime.date(2024, 4, 3),
        summary=(
            "Our Child Protection Fund backs data and technology projects that reduce and "
            "prevent the sexual exploitation of children. Here is what it supports and how to "
            "apply."
        ),
        image="child-protection-fund",
        categories=["child-protection-fund"],
        tags=["funding", "data collaboration", "technology"],
        body=_fund_body,
    ),
    PostSpec(
        slug="financial-signals-of-sextortion",
        title="Spotting sextortion: the financial signals institutions can act on",
        date=datetime.date(2024, 6, 20),
        summary=(
            "Sextortion is driven by money, which gives banks and payment providers a chance to "
            "see it. These are the patterns that deserve a closer look."
        ),
        image="sextortion",
        categories=["research-and-insights"],
        tags=["sextortion", "financial crime"],
        body=_sextortion_body,
    ),
    PostSpec(
        slug="a-shared-language-for-child-protection",
        title="Why a shared language matters in the fight against child exploitation",
        date=datetime.date(2024, 8, 14),
        summary=(
            "The words we use shape how seriously a crime is taken. A shared vocabulary makes "
            "collaboration faster and keeps the focus on children."
        ),
        image="shared-language",
        categories=["research-and-insights", "awareness"],
        tags=["terminology", "partnerships"],
        body=_shared_language_body,
    ),
    PostSpec(
        slug="members-briefing-data-sharing-roundtable",
        title="Members' briefing: what we heard at the data-sharing roundtable",
        date=datetime.date(2024, 10, 30),
        summary=(
            "A summary for portal members of our roundtable with banks, payment providers, law "
            "enforcement and regulators, and the next steps we agreed."
        ),
        image="roundtable",
        categories=["events"],
        tags=["data collaboration", "partnerships"],
        body=_roundtable_body,
        members_only=True,
    ),
    PostSpec(
        slug="safer-internet-day-five-conversations",
        title="Safer Internet Day: five conversations to have at home",
        date=datetime.date(2025, 2, 11),
        summary=(
            "The best protection for children online is often a trusted adult. Five "
            "conversations every family can have, and where to get help."
        ),
        image="safer-internet",
        categories=["awareness"],
        tags=["online safety", "parents"],
        body=_safer_internet_body,
    ),
]


# --- Standard pages ---------------------------------------------------------------------------


def _about_body(ctx: dict[str, Any]) -> list[dict]:
    return [
        heading("Who we are"),
        paragraphs(
            "The International Centre for Missing &amp; Exploited Children Australia (ICMEC "
            "Australia) is an independent, not-for-profit organisation. We exist so that every "
            "child can grow up free from sexual abuse and exploitation.",
            "We do not investigate crimes or work directly with children. Instead, we "
            "strengthen the organisations that do, by connecting them, sharing knowledge and "
            "helping them use data safely and effectively.",
        ),
        heading("What we do"),
        bullets(
            "Our work falls into four areas:",
            [
                "<b>Partnerships.</b> We bring together financial-crime teams, law enforcement, "
                "regulators, technology companies, researchers and non-profits.",
                "<b>Data collaboration.</b> We help partners design projects that combine and "
                "share data lawfully, so that offenders are detected and children identified "
                "sooner.",
                "<b>Capability.</b> We train the professionals who detect and report child "
                "sexual exploitation, and publish practical guidance.",
                "<b>The Child Protection Fund.</b> We fund data and technology projects that "
                "prevent and disrupt exploitation.",
            ],
        ),
        picture(ctx["images"]["data-collaboration"]),
        heading("The Member Portal"),
        paragraphs(
            "Our Member Portal is a secure space where vetted professionals in the child "
            "sexual exploitation response ecosystem can find each other, connect and exchange "
            "messages. Every application is reviewed by our team, and members agree to our "
            f"{page_link(ctx['pages']['code-of-conduct'], 'code of conduct')}.",
        ),
        button("Apply to join the Member Portal", url="/accounts/signup/"),
    ]


def _contact_body(ctx: dict[str, Any]) -> list[dict]:
    address = settings.ORGANISATION_POSTAL_ADDRESS
    return [
        heading("If a child is in danger"),
        paragraphs(
            "We cannot respond to emergencies or take reports of abuse. If a child is in "
            "immediate danger, call <b>000</b>.",
            'Report online child sexual exploitation to the <a href="https://www.accce.gov.au/'
            'report">Australian Centre to Counter Child Exploitation (ACCCE)</a>. You can also '
            "contact Crime Stoppers on 1800 333 000. Children and young people can talk to Kids "
            "Helpline on 1800 55 1800, any time of day.",
        ),
        heading("Get in touch with us"),
        paragraphs(
            "For partnerships, the Child Protection Fund, training or media enquiries, email "
            '<a href="mailto:hello@example.org">hello@example.org</a>. We reply within two '
            "working days.",
            f"Our postal address is {address}.",
        ),
        heading("Member Portal help"),
        paragraphs(
            "Members and applicants can reach us at "
            '<a href="mailto:portal@example.org">portal@example.org</a> about their '
            "application, their account or a concern about another member's conduct.",
        ),
    ]


def _privacy_body(ctx: dict[str, Any]) -> list[dict]:
    return [
        paragraphs(
            "ICMEC Australia respects your privacy. This policy explains what personal "
            "information we collect through this website, the newsletter and the Member "
            "Portal, why we collect it, how we look after it and the choices you have. We "
            "handle personal information in line with the Australian Privacy Principles in the "
            "<i>Privacy Act 1988</i> (Cth).",
        ),
        heading("What we collect"),
        bullets(
            "We collect only what we need:",
            [
                "<b>Newsletter subscribers:</b> your email address, and when and how you gave "
                "consent to receive our newsletter.",
                "<b>Member Portal applicants and members:</b> your name, email address, "
                "organisation, role, sector, country and your reason for joining; the profile "
                "details you choose to add; your connections and the messages you exchange "
                "with other members; and records of sign-ins and security settings, such as "
                "two-factor authentication.",
                "<b>Everyone who visits:</b> the technical information any web server receives, "
                "such as your IP address, browser and the pages requested, kept in server logs "
                "for security.",
                "<b>People who contact us:</b> what you tell us in your email or letter.",
            ],
        ),
        paragraphs(
            "We never ask for, and you must never send us, images or details that could "
            "identify a child who has been harmed."
        ),
        heading("Cookies"),
        paragraphs(
            "This site uses only the cookies it needs to work: a session cookie when you sign "
            "in, a security cookie that protects forms from forgery, and a cookie that carries "
            "one-off notices between pages. We do not use advertising or analytics cookies, "
            "and nothing on our pages is loaded from other companies' servers.",
        ),
        heading("Why we use your information"),
        bullets(
            "We use personal information to:",
            [
                "send the newsletter you asked for (every issue has a one-click unsubscribe link);",
                "review applications to the Member Portal, decide whether to approve them and "
                "tell you the outcome;",
                "run the portal, so that members can find, connect and message each other;",
                "keep the site and our members secure, including investigating misuse and "
                "breaches of our code of conduct;",
                "meet our legal obligations.",
            ],
        ),
        heading("Who we share it with"),
        paragraphs(
            "We do not sell or rent personal information. We share it only with service "
            "providers who help us run the site, such as our hosting and email delivery "
            "providers, under contracts that require them to protect it; with other members, "
            "where you choose to share your profile or send a message; and with law "
            "enforcement or regulators where the law requires or allows it. Some of our "
            "providers may store data outside Australia; when they do, we take reasonable "
            "steps to make sure it is protected to the standard of the Australian Privacy "
            "Principles.",
        ),
        heading("How we protect it"),
        paragraphs(
            "The site is served over encrypted connections. Passwords are stored only as "
            "one-way hashes. Staff who can see members' information must use two-factor "
            "authentication, and access is limited to those who need it. We keep information "
            "only as long as we need it: newsletter records until you unsubscribe (then a "
            "minimal record of your opt-out), and portal data while your account is open (an "
            "application that was not approved stays with your account, so that you can apply "
            f"again after {settings.PORTAL_REAPPLY_AFTER_DAYS} days, until you delete it).",
        ),
        heading("What we keep after an account is deleted"),
        paragraphs(
            "The Member Portal connects people who work with information about the abuse of "
            "children, so a decision about a member's safety must not disappear when they "
            "delete their account. If we did not approve your application, suspended your "
            "membership, or received a report about you from another member, we keep a "
            "minimal safeguarding record even after your account is deleted: a scrambled form "
            "of your email address that cannot be turned back into the address (a keyed hash), "
            "what was decided, when, and the reason. Reports made by members, with the copy of "
            "any conversation the reporter chose to share at the time, are kept with it. We use "
            "this only to recognise a new application from the same address, so that our staff "
            "can read the earlier decision before deciding again.",
            "We keep a safeguarding record for "
            f"{settings.PORTAL_SAFEGUARDING_RETENTION_DAYS // 365} years from the decision, and "
            "a closed report for as long after it was closed; then they are deleted "
            "automatically. If nothing of the kind happened, nothing is kept. While your "
            "membership is suspended, or while a report about you is being looked into, you "
            "cannot delete your account yourself; write to us and our staff will handle your "
            "request.",
        ),
        heading("Your choices and rights"),
        paragraphs(
            "You can unsubscribe from the newsletter at any time. Members can see, correct, "
            "download and delete their personal information from their account page. You can "
            "also ask us for access to, or correction of, the personal information we hold "
            "about you by contacting us; we will respond within 30 days.",
            "If you have a concern about how we have handled your information, please contact "
            "us first so that we can try to resolve it. If you are not satisfied with our "
            "response, you can complain to the Office of the Australian Information "
            'Commissioner at <a href="https://www.oaic.gov.au">oaic.gov.au</a>.',
        ),
        heading("Contact"),
        paragraphs(
            "Privacy questions: "
            '<a href="mailto:privacy@example.org">privacy@example.org</a>, or write to our '
            f"privacy officer at {settings.ORGANISATION_POSTAL_ADDRESS}. We will update this "
            "policy when our practices change and show the date of the latest version below.",
        ),
    ]


def _code_of_conduct_body(ctx: dict[str, Any]) -> list[dict]:
    return [
        paragraphs(
            "The Member Portal brings together professionals who work to prevent, detect, "
            "investigate and respond to child sexual exploitation. Members trust each other "
            "with sensitive information and difficult conversations. This code sets out what "
            "we expect of everyone who uses the portal. By joining, you agree to follow it.",
        ),
        heading("1. Children come first"),
        bullets(
            "The safety and dignity of children, and of victim survivors, guide everything "
            "members do on the portal:",
            [
                "never upload, share, link to or describe in detail child sexual abuse "
                "material, even to ask for help identifying it. Report it to the ACCCE or your "
                "national authority instead;",
                "never share information that could identify a child or a victim survivor;",
                "if you learn that a child may be in danger, contact the police straight away "
                "(000 in Australia) before anything else.",
            ],
        ),
        heading("2. Share lawfully and carefully"),
        bullets(
            "Members often work under strict legal and professional duties:",
            [
                "share only information you are allowed to share, under the law and your "
                "organisation's policies;",
                "do not share details of live investigations, suspicious matter reports or "
                "customers' personal information through the portal;",
                "treat what others share as confidential: you may use what you learn, but do "
                "not reveal who said it or pass on their material without their agreement.",
            ],
        ),
        heading("3. Be professional and respectful"),
        paragraphs(
            "Treat other members with courtesy, even when you disagree. Harassment, "
            "discrimination, threats and personal attacks are not tolerated. Do not use the "
            "portal to sell products or services, recruit for unrelated purposes or send "
            "unsolicited bulk messages. Represent yourself and your organisation honestly.",
        ),
        heading("4. Keep your account secure"),
        paragraphs(
            "Your account is for you alone: do not share it or your password. Use a strong, "
            "unique password and two-factor authentication. Tell us at once if you think "
            "someone else has used your account, or when you leave the role that made you "
            "eligible to join.",
        ),
        heading("5. Look after yourself and each other"),
        paragraphs(
            "This work can take a heavy toll. Take breaks, use the support your organisation "
            "offers, and be mindful that others may be affected by what you write. Give content "
            "warnings before discussing distressing subjects.",
        ),
        heading("6. Raising concerns"),
        paragraphs(
            "If you see something on the portal that breaks this code, or a member makes you "
            "feel unsafe, block them and tell us at "
            '<a href="mailto:portal@example.org">portal@example.org</a>. We will treat your '
            "report confidentially and respond within two working days.",
        ),
        heading("7. What happens if the code is broken"),
        paragraphs(
            "Depending on how serious it is, we may remind a member of the code, remove "
            "content, suspend an account or end a membership. Where we believe a law has been "
            "broken or a child may be at risk, we will tell the authorities. Our decisions are "
            "made by at least two members of staff, and members can ask us to review them.",
            "We review this code every year, and tell members about any changes.",
        ),
    ]


@dataclass
class PageSpec:
    slug: str
    title: str
    introduction: str
    body: Callable[[dict[str, Any]], list[dict]]
    show_in_menus: bool = False
    show_in_footer: bool = False
    search_description: str = ""


PAGES = [
    PageSpec(
        slug="about",
        title="About us",
        introduction=(
            "We help the organisations that detect, report and prosecute child sexual "
            "exploitation work together, so that more children are protected."
        ),
        body=_about_body,
        show_in_menus=True,
        show_in_footer=True,
    ),
    PageSpec(
        slug="contact",
        title="Contact",
        introduction="How to reach our team, and where to report a child at risk.",
        body=_contact_body,
        show_in_menus=True,
        show_in_footer=True,
    ),
    PageSpec(
        slug="privacy",
        title="Privacy policy",
        introduction=(
            "What personal information we collect through this website, the newsletter and the "
            "Member Portal, and how we protect it."
        ),
        body=_privacy_body,
        show_in_footer=True,
    ),
    PageSpec(
        slug="code-of-conduct",
        title="Code of conduct",
        introduction=(
            "What we expect of every member of the ICMEC Australia Member Portal, and what "
            "happens if the code is broken."
        ),
        body=_code_of_conduct_body,
        show_in_footer=True,
    ),
]


# --- Loading ----------------------------------------------------------------------------------


def load(*, stdout, style) -> None:
    """Create whatever part of the demo site is missing (see the module docstring)."""
    site = _site()
    home = site.root_page.specific
    ctx: dict[str, Any] = {"images": _images(), "pages": {}, "created": []}
    author = _author(ctx)
    categories = _categories(ctx)

    # The pages link to each other by id: create the missing ones, then write and publish them.
    new_pages = []
    for spec in PAGES:
        page, created = _standard_page(home, spec)
        ctx["pages"][spec.slug] = page
        if created:
            new_pages.append((page, spec))
    for page, spec in new_pages:
        page.body = spec.body(ctx)
        page.save_revision().publish()
        ctx["created"].append(f"page {spec.title}")
    blog = _blog_index(home, ctx)
    posts = [_post(blog, spec, author, categories, ctx) for spec in POSTS]
    _home_page(home, posts, ctx)
    _social_settings(site, ctx)
    _staff_account(stdout, style, ctx)

    if ctx["created"]:
        stdout.write(f"Public site: created {', '.join(ctx['created'])}.")
    else:
        stdout.write("Public site: demo content already in place.")


def _site() -> Site:
    """The default site, pointing at SITE_URL's host and port (canonical URLs, feeds)."""
    site = Site.objects.select_related("root_page").get(is_default_site=True)
    address = urlsplit(settings.SITE_URL)
    hostname = address.hostname or "localhost"
    port = address.port or (443 if address.scheme == "https" else 80)
    if (site.hostname, site.port) != (hostname, port):
        site.hostname, site.port = hostname, port
        site.save(update_fields=["hostname", "port"])
    return site


def _images() -> dict[str, SiteImage]:
    images = {}
    for key, (title, alt_text, artwork) in IMAGES.items():
        image = SiteImage.objects.filter(title=title).first()
        if image is None:
            image = SiteImage(title=title, description=alt_text)
            image.file = ImageFile(io.BytesIO(draw_artwork(artwork)), name=f"demo-{key}.jpg")
            image.save()
        images[key] = image
    return images


def _author(ctx: dict[str, Any]) -> Author:
    author = Author.objects.filter(name="ICMEC Australia team").first()
    if author is not None:
        return author
    photo = SiteImage.objects.filter(title="ICMEC Australia monogram").first()
    if photo is None:
        photo = SiteImage(
            title="ICMEC Australia monogram",
            description="The letters IA in white on a teal circle.",
        )
        photo.file = ImageFile(io.BytesIO(draw_monogram("IA")), name="demo-monogram.png")
        photo.save()
    ctx["created"].append("an author")
    return Author.objects.create(
        name="ICMEC Australia team", role="Communications and partnerships", photo=photo
    )


def _categories(ctx: dict[str, Any]) -> dict[str, Category]:
    categories = {}
    for name, slug, description in CATEGORIES:
        category, created = Category.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )
        if created:
            ctx["created"].append(f"category {name}")
        categories[slug] = category
    return categories


def _publish(parent: Page, page: Page, ctx: dict[str, Any], label: str) -> Page:
    parent.add_child(instance=page)
    page.save_revision().publish()
    ctx["created"].append(label)
    return page


def _standard_page(home: Page, spec: PageSpec) -> tuple[StandardPage, bool]:
    """The page, created as a draft if missing (its body may link to pages not made yet)."""
    existing = StandardPage.objects.child_of(home).filter(slug=spec.slug).first()
    if existing is not None:
        return existing, False
    page = StandardPage(
        title=spec.title,
        slug=spec.slug,
        introduction=spec.introduction,
        show_in_menus=spec.show_in_menus,
        show_in_footer=spec.show_in_footer,
        search_description=spec.search_description,
        live=False,
    )
    home.add_child(instance=page)
    return page, True


def _blog_index(home: Page, ctx: dict[str, Any]) -> BlogIndexPage:
    existing = BlogIndexPage.objects.child_of(home).first()
    if existing is not None:
        return existing
    page = BlogIndexPage(
        title="News",
        slug="blog",
        show_in_menus=True,
        introduction=(
            "News, research and events from across the child sexual exploitation response "
            "ecosystem."
        ),
    )
    return _publish(home, page, ctx, "the blog")


def _post(
    blog: BlogIndexPage,
    spec: PostSpec,
    author: Author,
    categories: dict[str, Category],
    ctx: dict[str, Any],
) -> BlogPostPage:
    existing = BlogPostPage.objects.child_of(blog).filter(slug=spec.slug).first()
    if existing is not None:
        return existing
    published_at = timezone.make_aware(datetime.datetime.combine(spec.date, datetime.time(9, 0)))
    post = BlogPostPage(
        title=spec.title,
        slug=spec.slug,
        date_published=spec.date,
        summary=spec.summary,
        featured_image=ctx["images"][spec.image],
        body=spec.body(ctx),
        members_only=spec.members_only,
        search_description=spec.search_description,
        first_published_at=published_at,
    )
    post.authors = [author]
    post.categories = [categories[slug] for slug in spec.categories]
    post.tags.set(spec.tags)
    return _publish(blog, post, ctx, f"post “{spec.title}”")


def _home_page(home: HomePage, posts: list[BlogPostPage], ctx: dict[str, Any]) -> None:
    """Write the home page once: the migration leaves a placeholder that has no revision."""
    if home.latest_revision_id is not None:
        return
    home.title = "Home"
    home.seo_title = ""
    home.search_description = (
        "ICMEC Australia helps the organisations that detect, report and prosecute child sexual "
        "exploitation work together. News, research, events and our Member Portal."
    )
    home.mission_heading = "Every child deserves to grow up safe from sexual exploitation"
    home.mission_statement = (
        "<p>We bring together the financial-crime teams, law enforcement officers, regulators "
        "and data owners who detect, report and prosecute child sexual exploitation, and we "
        "help them share what they know, so that offenders are found and children protected "
        "sooner.</p>"
    )
    home.hero_image = ctx["images"]["home-hero"]
    home.hero_cta_text = "About our work"
    home.hero_cta_page = ctx["pages"]["about"]
    home.newsletter_heading = "Stay up to date"
    home.newsletter_text = (
        "News, information and activities from across the child sexual exploitation response "
        "ecosystem, and the first word on our events and training."
    )
    home.portal_heading = "Join our Member Portal"
    home.portal_text = (
        "If you work to fight child sexual exploitation, in a bank, a police force, a "
        "regulator, a technology company or a non-profit, join the Member Portal to find and "
        "connect with others doing the same. Every application is reviewed by our team."
    )
    by_slug = {post.slug: post for post in posts}
    home.featured_posts = [
        HomePageFeaturedPost(post=by_slug["child-protection-fund-data-driven-initiatives"]),
        HomePageFeaturedPost(post=by_slug["world-day-of-the-fight-against-sexual-exploitation"]),
    ]
    home.save_revision().publish()
    ctx["created"].append("the home page")


def _social_settings(site: Site, ctx: dict[str, Any]) -> None:
    social = SocialMediaSettings.for_site(site)
    if social.links() or social.contact_email:
        return
    social.linkedin = "https://www.linkedin.com/company/icmec-australia/"
    social.facebook = "https://www.facebook.com/ICMECAustralia/"
    social.x = "https://x.com/ICMEC_Aus"
    social.youtube = "https://www.youtube.com/@ICMECAustralia"
    social.contact_email = "hello@example.org"
    social.save()
    ctx["created"].append("social links")


def _staff_account(stdout, style, ctx: dict[str, Any]) -> None:
    existing = User.objects.filter(email__iexact=STAFF_EMAIL).first()
    if existing is not None:
        # Made before its address was recorded as verified: fix it, or its login stops at the
        # "check your email" page.
        staff_email_verify(user=existing)
        return
    password = secrets.token_urlsafe(15)
    User.objects.create_superuser(
        email=STAFF_EMAIL, password=password, first_name="Site", last_name="Administrator"
    )
    ctx["created"].append("the staff account")
    stdout.write(
        style.WARNING(
            f"Staff account: {STAFF_EMAIL} / {password}\n"
            "  (shown once: note it now; staff set up two-factor authentication at first login)"
        )
    )
