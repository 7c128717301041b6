from django.contrib import admin

from .models import Person


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "birth_date", "school"]
    list_filter = ["school"]
    search_fields = ["last_name", "first_name", "email"]
