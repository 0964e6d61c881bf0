DROP TRIGGER subscribers_count_insert ON subscribers;
DROP TRIGGER subscribers_count_delete ON subscribers;
DROP TRIGGER subscribers_count_update ON subscribers;
DROP TRIGGER subscriptions_count_insert ON subscriptions;
DROP TRIGGER subscriptions_count_delete ON subscriptions;
DROP TRIGGER subscriptions_count_update ON subscriptions;
DROP FUNCTION subscriber_counts_insert(), subscriber_counts_delete(), subscriber_counts_update(),
    subscription_counts_insert(), subscription_counts_delete(), subscription_counts_update();
