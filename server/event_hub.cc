#include "event_hub.h"

namespace kefu::server {

EventHub::Subscription::~Subscription() {
  std::lock_guard<std::mutex> lock(hub_->mutex_);
  if (--channel_->subscribers == 0) hub_->channels_.erase(id_);
}

uint64_t EventHub::Subscription::version() const {
  std::lock_guard<std::mutex> lock(hub_->mutex_);
  return channel_->version;
}

void EventHub::Subscription::waitForChange(uint64_t seen,
                                           std::chrono::steady_clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(hub_->mutex_);
  channel_->changed.wait_until(lock, deadline,
                               [&] { return hub_->stopped_ || channel_->version != seen; });
}

std::unique_ptr<EventHub::Subscription> EventHub::subscribe(const std::string& conversation_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::shared_ptr<Channel>& channel = channels_[conversation_id];
  if (!channel) channel = std::make_shared<Channel>();
  ++channel->subscribers;
  return std::make_unique<Subscription>(*this, conversation_id, channel);
}

void EventHub::notify(const std::string& conversation_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = channels_.find(conversation_id);
  if (it == channels_.end()) return;  // nobody is listening; the database has it all
  ++it->second->version;
  it->second->changed.notify_all();
}

void EventHub::stop() {
  std::lock_guard<std::mutex> lock(mutex_);
  stopped_ = true;
  for (auto& [id, channel] : channels_) channel->changed.notify_all();
}

bool EventHub::stopped() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stopped_;
}

size_t EventHub::channelCount() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return channels_.size();
}

}  // namespace kefu::server
