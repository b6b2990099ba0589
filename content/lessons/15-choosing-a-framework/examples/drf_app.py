"""Django REST Framework in one file: settings, views and URLs (a real project splits them)."""

import django
from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="benchmark-only-never-deployed",
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "rest_framework"],
    MIDDLEWARE=[],
    DATABASES={},
    REST_FRAMEWORK={
        "DEFAULT_AUTHENTICATION_CLASSES": [],
        "DEFAULT_PERMISSION_CLASSES": [],
        "UNAUTHENTICATED_USER": None,
        "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
        "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    },
)
django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.urls import path  # noqa: E402
from rest_framework import serializers  # noqa: E402
from rest_framework.decorators import api_view  # noqa: E402
from rest_framework.exceptions import NotFound  # noqa: E402
from rest_framework.response import Response  # noqa: E402

BOOKS = {
    1: {"id": 1, "title": "Dune", "year": 1965},
    2: {"id": 2, "title": "Neuromancer", "year": 1984},
    3: {"id": 3, "title": "Hyperion", "year": 1989},
}


class BookSerializer(serializers.Serializer):
    title = serializers.CharField(min_length=1, max_length=200)
    year = serializers.IntegerField(min_value=1000, max_value=2100)


@api_view(["GET"])
def hello(request):
    return Response({"message": "Hello, world"})


@api_view(["GET"])
def read_book(request, book_id):
    book = BOOKS.get(book_id)
    if book is None:
        raise NotFound("No such book")
    return Response(book)


@api_view(["POST"])
def create_book(request):
    serializer = BookSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    return Response({"id": len(BOOKS) + 1, **serializer.validated_data}, status=201)


urlpatterns = [
    path("hello", hello),
    path("books/<int:book_id>", read_book),
    path("books", create_book),
]
application = get_wsgi_application()
