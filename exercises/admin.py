from django.contrib import admin

from exercises.models import Exercise


@admin.register(Exercise)
class ExerciseAdmin(admin.ModelAdmin):
    list_display = ("title", "role", "format", "duration", "is_active")
    list_filter = ("role", "format", "is_active")
    search_fields = ("title",)
