"""python manage.py load_holidays [YEAR ...]: seed the holiday calendar from chinesecalendar."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from responsibility.services.calendar import CalendarUnavailable, calendar_load_year


class Command(BaseCommand):
    help = "Load public holidays and make-up workdays (调休) for the given years (default: this year and next)."

    def add_arguments(self, parser):
        parser.add_argument("years", nargs="*", type=int)

    def handle(self, *args, years, **options):
        this_year = timezone.localdate().year
        for year in years or [this_year, this_year + 1]:
            try:
                added = calendar_load_year(year=year)
            except CalendarUnavailable as error:
                self.stderr.write(f"{year}: not available yet ({error}); deadlines past it count weekends only")
            else:
                self.stdout.write(f"{year}: {added} days added")
