"""Treatment plan reviews in the care team's API (issue 18, tracker.plan_reviews): a person's
reviews, newest first, and a new review with each goal's progress. A goal's review date is
written through the care goals API (CareGoalSerializer's review_on).

Access and the audit row come from CareAccess (tracker.api.care): a 404 and a denied row for
anyone off the care team, one row per allowed request, a write's row in its transaction."""

from django.db import transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import plan_reviews
from .care import CareAccess
from .participant import field_errors
from .serializers import PlanReviewInSerializer, PlanReviewSerializer


class PlanReviews(CareAccess, APIView):
    """GET: every review of the person's plan, in all their episodes, newest first. POST: record
    a review in their open episode: the day (today or earlier, not before the admission), a note,
    and each goal at most once with its progress (met, progressing, not_yet, changed) and a note."""

    audit_resource = "plan-reviews"
    serializer_class = PlanReviewSerializer

    @extend_schema(responses=PlanReviewSerializer(many=True))
    def get(self, request, participant_id):
        return Response(PlanReviewSerializer(plan_reviews.reviews(self.participant), many=True).data)

    @extend_schema(request=PlanReviewInSerializer, responses={
        201: PlanReviewSerializer,
        400: OpenApiResponse(description=(
            "Field errors: {field: [message, ...]}; under goals, one {field: [message]} per goal sent, in "
            "order ({} where that goal is fine). A person not in the program now: non_field_errors."))})
    def post(self, request, participant_id):
        serializer = PlanReviewInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with transaction.atomic():
            try:
                review = plan_reviews.review_record(
                    participant=self.participant, counselor=self.counselor, reviewed_on=data["reviewed_on"],
                    note=data["note"], goals=[plan_reviews.GoalProgress(goal_id=line["goal"], progress=line["progress"],
                                                                        note=line["note"]) for line in data["goals"]])
            except plan_reviews.ReviewRefused as refusal:
                detail = field_errors(refusal)
                if refusal.goal_lines:
                    detail["goals"] = refusal.goal_lines
                raise ValidationError(detail) from None
            self.record_write(request, review.pk)
        return Response(PlanReviewSerializer(plan_reviews.reviews_by_id(review.pk)).data,
                        status=status.HTTP_201_CREATED)
