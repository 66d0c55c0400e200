"""Admin for the whole forest: tree order, indentation by depth, search and filters.

Changes made here go through orgs.services with a system actor, so the same rules and audit apply.
"""

from django import forms
from django.contrib import admin
from django.utils.html import format_html

from core.errors import ServiceError
from orgs import services
from orgs.models import Organization


FIELD_NAMES = {"parent_id": "parent"}  # the services name model fields; the form calls the key "parent"


class OrganizationForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ("parent", "name", "short_name", "system", "kind", "level", "division_code")

    def clean(self):
        data = super().clean()
        candidate = Organization(pk=self.instance.pk, **{f: data.get(f) for f in services.EDITABLE})
        parent = self.instance.parent if self.instance.pk else data.get("parent")
        try:
            services.validate(candidate, parent, check_children=bool(self.instance.pk))
        except ServiceError as error:
            for field, _code, message in error.rendered():
                name = FIELD_NAMES.get(field, field)
                self.add_error(name if name in self.fields else None, message)
        return data


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    form = OrganizationForm
    list_display = ("indented_name", "system", "kind", "level", "division_code", "archived_at")
    list_filter = ("system", "kind", "level", ("archived_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "short_name", "division_code")
    ordering = ("path",)
    list_per_page = 100
    readonly_fields = ("path", "depth", "archived_at", "merged_into", "created_at", "updated_at")
    autocomplete_fields = ("parent",)
    fields = ("parent", "name", "short_name", "system", "kind", "level", "division_code") + readonly_fields

    @admin.display(description="名称", ordering="path")
    def indented_name(self, obj):
        return format_html('<span style="padding-left:{}em">{}</span>', (obj.depth - 1) * 1.5, obj.name)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields + (("parent",) if obj else ())

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        actor = request.actor
        fields = {f: form.cleaned_data.get(f) for f in services.EDITABLE}
        if change:
            saved = services.update_organization(actor, organization_id=obj.pk, **fields)
        else:
            parent = form.cleaned_data.get("parent")
            saved = services.create_organization(actor, parent_id=parent.pk if parent else None, **fields)
        obj.pk = saved.pk
